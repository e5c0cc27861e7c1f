# One image per service, all built from the same Maven build: docker build --build-arg MODULE=api-gateway .
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY common/pom.xml common/
COPY upstream-simulator/pom.xml upstream-simulator/
COPY test-support/pom.xml test-support/
COPY api-gateway/pom.xml api-gateway/
COPY sign-worker/pom.xml sign-worker/
COPY notifier/pom.xml notifier/
COPY common/src common/src
COPY upstream-simulator/src upstream-simulator/src
COPY test-support/src test-support/src
COPY api-gateway/src api-gateway/src
COPY sign-worker/src sign-worker/src
COPY notifier/src notifier/src
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package \
    && mkdir /out \
    && for m in api-gateway sign-worker notifier; do cp "$m/target/$m-0.1.0-SNAPSHOT.jar" "/out/$m.jar"; done \
    && cp upstream-simulator/target/upstream-simulator-0.1.0-SNAPSHOT-exec.jar /out/upstream-simulator.jar

FROM eclipse-temurin:25-jre
ARG MODULE
RUN useradd --system --uid 10001 app
COPY --from=build /out/${MODULE}.jar /app/app.jar
USER app
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
