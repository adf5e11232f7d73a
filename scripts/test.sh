#!/usr/bin/env bash
# The test command of README.md (and what .ci/run runs): picks a Java 25+ (scripts/find-java.sh),
# then runs `mvn verify`: the JUnit unit tests (Surefire, *Test), the jar (package), then the
# integration tests (Failsafe, *IT: the CUDA path on the mock GPU and the GPU-check rehearsal,
# docs/05f-mock-gpu.md). Maven's own chatter is cut to warnings (the shade plugin's overlap list to
# errors); the per-class and closing "Tests run: ..." lines and every failure stay. Extra
# arguments go to Maven:
#   scripts/test.sh -Dtest='MainTest*'      only those unit tests (no integration tests)
#   scripts/test.sh -Dit.test='SearchMockIT' only those integration tests (no unit tests)
#   scripts/test.sh -DskipITs               every unit test, no integration test
#   scripts/test.sh -o                      offline
set -euo pipefail
ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/find-java.sh
. "$ROOT/scripts/find-java.sh"
adl_find_java || exit 1
adl_use_java
cd "$ROOT"
unit=0 it=0
for a in "$@"; do
    case "$a" in
        -Dtest=*) unit=1 ;;
        -Dit.test=*) it=1 ;;
    esac
done
only=()
[ "$unit" -eq 1 ] && [ "$it" -eq 0 ] && only=(-DskipITs=true)
[ "$it" -eq 1 ] && [ "$unit" -eq 0 ] && only=(-DskipUTs=true)
echo "scripts/test.sh: Java $ADL_JAVA_HOME, $(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"
exec mvn -B -ntp -Dstyle.color=never \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.surefire=info \
    -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.failsafe=info \
    -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugins.shade=error \
    "${only[@]}" verify "$@"
