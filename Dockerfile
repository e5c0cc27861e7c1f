# One image per runnable module, all from one Maven build:
#   docker build --build-arg MODULE=sign-worker -t signapi/sign-worker .
# MODULE is api-gateway (the default), sign-worker, notifier or upstream-simulator. The build stage does not depend
# on MODULE, so compose builds the four images from one cached build.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when a pom or the wrapper changes, not on every source change.
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY upstream-simulator/pom.xml upstream-simulator/
COPY test-support/pom.xml test-support/
COPY common/pom.xml common/
COPY api-gateway/pom.xml api-gateway/
COPY sign-worker/pom.xml sign-worker/
COPY notifier/pom.xml notifier/
COPY system-tests/pom.xml system-tests/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B dependency:go-offline
# Then the sources and the same command ./stack up builds with.
COPY upstream-simulator/src upstream-simulator/src
COPY test-support/src test-support/src
COPY common/src common/src
COPY api-gateway/src api-gateway/src
COPY sign-worker/src sign-worker/src
COPY notifier/src notifier/src
COPY system-tests/src system-tests/src
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B package -DskipTests

# Picks the module's executable jar whatever the version: the simulator's is classified -exec (its plain jar is a
# library for the other modules' tests), the apps' is the unclassified one.
FROM build AS pick
ARG MODULE=api-gateway
RUN set -eu; \
    exec_jar=$(find "$MODULE/target" -maxdepth 1 -name "$MODULE-*-exec.jar"); \
    if [ -n "$exec_jar" ]; then jar=$exec_jar; else \
        jar=$(find "$MODULE/target" -maxdepth 1 -name "$MODULE-*.jar" \
            ! -name '*-plain.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-tests.jar'); fi; \
    [ "$(printf '%s\n' "$jar" | grep -c .)" = 1 ] || { echo "no single jar for $MODULE: $jar" >&2; exit 1; }; \
    cp "$jar" /app.jar

FROM eclipse-temurin:25-jre
ARG MODULE=api-gateway
LABEL org.opencontainers.image.title="Sign API $MODULE"
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin app
COPY --from=pick /app.jar /app/app.jar
USER 10001
# Container-aware by default: the heap is a share of the container's memory limit. Compose sets its own per
# service in JDK_JAVA_OPTIONS (the gateway keeps a fixed heap and ParallelGC; docs/BENCHMARKS.md).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", "/app/app.jar"]
