#!/usr/bin/env bash
# The project's own build, a Nuke build (build/Build.cs): ./build.sh [Target ...] [--parameter value ...]
#   ./build.sh Test       (the default) unit, integration, Cake and Nuke tests on a local ECR stand-in (as root)
#   ./build.sh Demo       the main job end to end on the local stand-in
#   ./build.sh --help     every target and parameter
# Nuke's bootstrap script, but with the installed dotnet only: it never downloads an SDK. When dotnet is missing or
# older than global.json asks, it says what to install and stops.
set -eo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"
DOTNET_GLOBAL_FILE="$SCRIPT_DIR/global.json"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_NOLOGO=1
export NUKE_TELEMETRY_OPTOUT=1

# global.json's SDK, e.g. 10.0.100 with rollForward latestFeature: any installed 10.0.x SDK from feature band 100 on.
required=$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$DOTNET_GLOBAL_FILE" | head -n 1)
IFS=. read -r major minor patch <<< "$required"
install_hint="Install the .NET SDK $major.$minor ($required or a later $major.$minor.x):
  on Debian or Ubuntu:  apt-get install -y dotnet-sdk-$major.$minor   (with Microsoft's package repository on Debian: https://learn.microsoft.com/dotnet/core/install/linux-debian)
  elsewhere:            https://dotnet.microsoft.com/download/dotnet/$major.$minor
then run ./build.sh again."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The build needs dotnet, which is not on PATH." >&2
  echo "$install_hint" >&2
  exit 1
fi

found=$(dotnet --list-sdks 2>/dev/null | awk -v major="$major" -v minor="$minor" -v band="$patch" '
  { split($1, v, /[.-]/); if (v[1] == major && v[2] == minor && v[3] + 0 >= band + 0) { print $1; exit } }')
if [ -z "$found" ]; then
  echo "The build needs the .NET SDK $required or a later $major.$minor.x (global.json); the installed dotnet has: $(dotnet --list-sdks 2>/dev/null | awk '{ printf "%s ", $1 }')" >&2
  echo "$install_hint" >&2
  exit 1
fi

exec dotnet run --project "$BUILD_PROJECT_FILE" --no-launch-profile -- "$@"
