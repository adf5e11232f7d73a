#!/usr/bin/env bash
# The test command of README.md (and what .ci/run runs): picks a Java 25+ (scripts/find-java.sh),
# then runs the JUnit suite with Maven. Maven's own chatter is cut to warnings; Surefire's
# per-class and closing "Tests run: ..." lines and every failure stay. Extra arguments go to
# Maven, e.g. scripts/test.sh -Dtest='MainTest*' or scripts/test.sh -o (offline).
set -euo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/find-java.sh
. "$ROOT/scripts/find-java.sh"
adl_find_java || exit 1
adl_use_java
cd "$ROOT"
echo "scripts/test.sh: Java $ADL_JAVA_HOME, $(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"
exec mvn -B -ntp -Dstyle.color=never \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.surefire=info \
    test "$@"
