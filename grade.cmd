@echo off
rem Grades the katas on Windows. grade.cmd --help explains everything.
rem Needs a JDK 21+ (JAVA_HOME, or java on PATH) and Maven for the first build.
setlocal
set "ROOT=%~dp0"
set "ROOT=%ROOT:~0,-1%"
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java.exe") else (set "JAVA=java")
"%JAVA%" -XshowSettings:properties -version 2>&1 | findstr /R /C:"java.specification.version = 2[1-9]" /C:"java.specification.version = [3-9][0-9]" >nul
if errorlevel 1 (
  echo concurrency-katas needs a JDK 21 or newer: set JAVA_HOME to one and try again. 1>&2
  exit /b 2
)
if not exist "%ROOT%\grader\app\target\grader.jar" (
  echo Building the grader ^(first run only; Maven may download dependencies^)... 1>&2
  call mvn -B -q -f "%ROOT%\pom.xml" -pl grader/app -am -DskipTests package
  if errorlevel 1 (
    echo grade: building the grader failed ^(see above^). 1>&2
    exit /b 3
  )
)
rem The grader only compiles and coordinates (tests and measurements run in forks): C1 and the serial GC start faster.
"%JAVA%" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dkatas.root="%ROOT%" -cp "%ROOT%\grader\app\target\grader.jar;%ROOT%\grader\app\target\lib\*" katas.grader.cli.Main %*
exit /b %ERRORLEVEL%
