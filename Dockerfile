# One image for every Flotilla service: flotilla registry|coordinator|worker|aggregator (and the CLI).
# Build:  docker build -t flotilla .
# Stage 1 builds the shaded CLI jar with Maven; stage 2 is a JRE 17 with that jar only.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The POMs first, so that dependencies are a cached layer of their own.
COPY pom.xml ./
COPY bom/pom.xml bom/
COPY protocol/pom.xml protocol/
COPY migrate/pom.xml migrate/
COPY fabric/pom.xml fabric/
COPY backup/pom.xml backup/
COPY schema-registry/pom.xml schema-registry/
COPY coordinator/pom.xml coordinator/
COPY worker/pom.xml worker/
COPY aggregator/pom.xml aggregator/
COPY testkit/pom.xml testkit/
COPY cli/pom.xml cli/
COPY bench/pom.xml bench/
RUN mvn -B -q -pl cli -am dependency:go-offline -DskipTests || true
COPY . .
RUN mvn -B -q -pl cli -am package -DskipTests && cp cli/target/flotilla.jar /flotilla.jar

FROM eclipse-temurin:17-jre
# Heap from the container's memory limit, not the host's; exit on OOM so the orchestrator restarts it.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    FLOTILLA_BIND=0.0.0.0 \
    FLOTILLA_PORT=8080 \
    FLOTILLA_DATA_DIR=/var/lib/flotilla \
    FLOTILLA_CONFIG=/etc/flotilla/atlas.hcl
# curl for the health checks (compose and this HEALTHCHECK probe /health/ready).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 flotilla \
    && useradd --system --uid 10001 --gid flotilla --home-dir /var/lib/flotilla --shell /usr/sbin/nologin flotilla \
    && mkdir -p /var/lib/flotilla /etc/flotilla /opt/flotilla \
    && chown flotilla:flotilla /var/lib/flotilla
COPY --from=build /flotilla.jar /opt/flotilla/flotilla.jar
COPY deploy/docker/flotilla /usr/local/bin/flotilla
RUN chmod 0755 /usr/local/bin/flotilla
USER 10001:10001
WORKDIR /var/lib/flotilla
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${FLOTILLA_PORT}/health/ready" || exit 1
ENTRYPOINT ["flotilla"]
CMD ["--help"]
