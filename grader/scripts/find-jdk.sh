# Sourced by ./grade and .ci/run: points JAVA_HOME at a JDK 21 or newer, or explains how to get one.
# The kit targets Java 21; many machines still default to 17, with a newer JDK installed beside it.

kata_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

kata_is_jdk21() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local major
  major=$(kata_java_major "$1")
  [ -n "$major" ] && [ "$major" -ge 21 ]
}

kata_find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)")")")
  fi
  # Newest first, so a JDK 25 beats a JDK 21 when both are installed.
  local dir
  for dir in $(ls -d /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
      "$HOME"/.sdkman/candidates/java/* /opt/java/* /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
      2>/dev/null | sort -rV); do
    candidates+=("$dir")
  done
  for dir in "${candidates[@]}"; do
    if kata_is_jdk21 "$dir"; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

if ! kata_is_jdk21 "${JAVA_HOME:-/nonexistent}"; then
  if found=$(kata_find_jdk); then
    export JAVA_HOME="$found"
  else
    echo "concurrency-katas needs a JDK 21 or newer (with javac); none was found." >&2
    echo "Install one (e.g. Temurin 21 or 25) and set JAVA_HOME to it, then try again." >&2
    exit 2
  fi
fi
export PATH="$JAVA_HOME/bin:$PATH"
