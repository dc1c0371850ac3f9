@echo off
rem The project's own build: a Cake script run by the cake.tool pinned in .config/dotnet-tools.json.
pushd "%~dp0"
dotnet tool restore >nul || goto :error
dotnet cake build/build.cake %*
set EXITCODE=%ERRORLEVEL%
popd
exit /b %EXITCODE%
:error
set EXITCODE=%ERRORLEVEL%
popd
exit /b %EXITCODE%
