# Sourced by bin/streamscribe and bin/run-tests: sets JAVA_HOME to a JDK 21+ or exits with a clear message.
# Looks at JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/* (newest first).

_java_feature() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | sed 's/^1\.//'
}

_streamscribe_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  if [ -d /usr/lib/jvm ]; then
    while IFS= read -r c; do candidates+=("$c"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's#/$##' | sort -rV)
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(_java_feature "$c/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if ! STREAMSCRIBE_JDK=$(_streamscribe_find_jdk); then
  echo "streamscribe needs a JDK 21 or newer, and none was found." >&2
  echo "Looked at: JAVA_HOME (${JAVA_HOME:-unset}), java on PATH, /usr/lib/jvm/*." >&2
  echo "Install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or set JAVA_HOME to it." >&2
  exit 3
fi
export JAVA_HOME="$STREAMSCRIBE_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
