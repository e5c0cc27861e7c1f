# shellcheck shell=bash
# ./stack: finding a JDK 25 or newer. Sourcing this file only defines functions.

java_major() { # prints the feature version of the java binary in $1, or nothing
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

find_jdk() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        local v; v=$(java_major "$JAVA_HOME/bin/java")
        if [[ -n "$v" && "$v" -ge 25 ]]; then export JAVA_HOME; return; fi
    fi
    local candidate
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
        [[ -x "$candidate/bin/javac" ]] || continue
        local v; v=$(java_major "$candidate/bin/java")
        if [[ -n "$v" && "$v" -ge 25 ]]; then export JAVA_HOME="$candidate"; return; fi
    done
    die "no JDK 25 or newer found (JAVA_HOME, /usr/lib/jvm). Install one, e.g. Temurin 25 (apt: temurin-25-jdk), or set JAVA_HOME."
}

# A class-data archive per JVM, written by the JVM itself at its first clean exit and used from then on:
# it roughly halves an app's start-up, and the JVM rewrites it when the classpath changes.
cds() { CDS=("-XX:SharedArchiveFile=$STATE/cds/$1.jsa" -XX:+AutoCreateSharedArchive "-Xlog:cds*=off"); mkdir -p "$STATE/cds"; }
