@echo off
rem The project's own build, a Nuke build (build\Build.cs): build.cmd [Target ...] [--parameter value ...]; build.cmd --help lists them.
rem Nuke's bootstrap script, but with the installed dotnet only: it never downloads an SDK. When dotnet is missing or
rem older than global.json asks, it says what to install and stops.
setlocal EnableDelayedExpansion
set "SCRIPT_DIR=%~dp0"
set "BUILD_PROJECT_FILE=%SCRIPT_DIR%build\_build.csproj"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
set DOTNET_NOLOGO=1
set NUKE_TELEMETRY_OPTOUT=1

rem global.json's SDK, e.g. 10.0.100 with rollForward latestFeature: any installed 10.0.x SDK from feature band 100 on.
set "REQUIRED="
for /f "tokens=2 delims=:, " %%v in ('findstr /c:"\"version\"" "%SCRIPT_DIR%global.json"') do if not defined REQUIRED set "REQUIRED=%%~v"
for /f "tokens=1-3 delims=." %%a in ("%REQUIRED%") do (set "MAJOR=%%a" & set "MINOR=%%b" & set "BAND=%%c")

where dotnet >nul 2>nul
if errorlevel 1 (
  echo The build needs dotnet, which is not on PATH. 1>&2
  goto :install
)
set "FOUND="
for /f "tokens=1" %%s in ('dotnet --list-sdks 2^>nul') do (
  for /f "tokens=1-3 delims=.-" %%a in ("%%s") do (
    if "%%a"=="%MAJOR%" if "%%b"=="%MINOR%" if %%c GEQ %BAND% set "FOUND=%%s"
  )
)
if not defined FOUND (
  echo The build needs the .NET SDK %REQUIRED% or a later %MAJOR%.%MINOR%.x ^(global.json^); the installed dotnet has none. 1>&2
  goto :install
)

dotnet run --project "%BUILD_PROJECT_FILE%" --no-launch-profile -- %*
exit /b %ERRORLEVEL%

:install
echo Install the .NET SDK %MAJOR%.%MINOR% ^(%REQUIRED% or a later %MAJOR%.%MINOR%.x^): winget install Microsoft.DotNet.SDK.%MAJOR% 1>&2
echo   or https://dotnet.microsoft.com/download/dotnet/%MAJOR%.%MINOR% ; then run build.cmd again. 1>&2
exit /b 1
