#!/usr/bin/env bash
# The project's own build: a Cake script run by the cake.tool pinned in .config/dotnet-tools.json.
#   ./build.sh --target=Test      unit and integration tests (the integration tests start a local ECR stand-in: run as root)
#   ./build.sh --target=Demo      the main job on the local stand-in
#   ./build.sh --target=Push --source-image=web:1.4.2 --repository=team/web   a real push with your AWS credentials
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
dotnet tool restore >/dev/null
exec dotnet cake build/build.cake "$@"
