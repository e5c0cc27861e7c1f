# shellcheck shell=bash
# ./stack Kafka: the broker's jars (fetched once into $STACK_HOME), a single-node KRaft broker, and
# scripts/KafkaTool.java for topics. Sourcing this file only defines functions.

project_version() {
    sed -n '/<artifactId>sign-api<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' "$ROOT/pom.xml"
}

# Fetches the Kafka broker and GreenMail from Maven Central once (again only when the root pom changes).
ensure_runtime() {
    local stamp="$KAFKA_LIB/.fetched"
    if [[ ! -f "$stamp" || ! -f "$GREENMAIL_JAR" || "$ROOT/pom.xml" -nt "$stamp" ]]; then
        local stage="$STATE/runtime"
        say "fetching the Kafka broker and GreenMail jars from Maven Central into $(rel "$STATE") (log: $(rel "$LOGS/fetch.log"))"
        rm -rf "$stage" && mkdir -p "$stage"
        sed -e "s/@PROJECT_VERSION@/$(project_version)/" -e "s|@ROOT_POM@|$(realpath -m --relative-to="$stage" "$ROOT/pom.xml")|" "$ROOT/stack.d/runtime-pom.xml" > "$stage/pom.xml"
        if ! "$ROOT/mvnw" -B -f "$stage/pom.xml" dependency:copy-dependencies@kafka dependency:copy@greenmail > "$LOGS/fetch.log" 2>&1; then
            tail -n 30 "$LOGS/fetch.log" >&2
            die "could not fetch the Kafka and GreenMail jars; see $(rel "$LOGS/fetch.log")"
        fi
        mkdir -p "$KAFKA_DIR" "$(dirname "$GREENMAIL_JAR")"
        rm -rf "$KAFKA_LIB" && mv "$stage/kafka-lib" "$KAFKA_LIB"
        mv "$stage/mail/greenmail-standalone.jar" "$GREENMAIL_JAR"
        rm -rf "$stage"
        touch "$stamp"
    fi
    local src="$ROOT/scripts/KafkaTool.java"
    if [[ ! -f "$TOOL_JAR" || "$src" -nt "$TOOL_JAR" || "$stamp" -nt "$TOOL_JAR" ]]; then
        local classes="$KAFKA_DIR/tool-classes"
        rm -rf "$classes" && mkdir -p "$classes"
        "$JAVA_HOME/bin/javac" -nowarn -d "$classes" -cp "$KAFKA_LIB/*" "$src" || die "could not compile $(rel "$src")"
        "$JAVA_HOME/bin/jar" --create --file "$TOOL_JAR" -C "$classes" . && rm -rf "$classes"
    fi
}

kafka_tool() { # list BOOTSTRAP | dump BOOTSTRAP TOPIC [--follow] | produce BOOTSTRAP TOPIC KEY VALUE
    cds kafka-tool
    "$JAVA_HOME/bin/java" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "${CDS[@]}" -cp "$TOOL_JAR:$KAFKA_LIB/*" KafkaTool "$@"
}

kafka_cluster_id() { # a random base64url UUID, the form Kafka's StorageTool expects
    local id
    while :; do
        id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        [[ "$id" != -* ]] && { echo "$id"; return; }
    done
}

# No automatic topic creation: each app creates the topics it uses at start-up with their partitions and
# configuration (a producer or consumer that came first would otherwise make a one-partition, uncompacted one).
start_kafka() {
    local data="$KAFKA_DIR/data" props="$KAFKA_DIR/server.properties"
    mkdir -p "$data"
    cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    if [[ ! -f "$data/meta.properties" ]]; then
        "$JAVA_HOME/bin/java" -Xmx128m -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format \
            -t "$(kafka_cluster_id)" -c "$props" > "$LOGS/kafka-format.log" 2>&1 \
            || die "formatting Kafka's log directory failed; see $(rel "$LOGS/kafka-format.log")"
    fi
    marker kafka
    cds kafka
    launch kafka "$JAVA_HOME/bin/java" -Xms256m -Xmx512m "${CDS[@]}" "${MARKER[@]}" \
        --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
        "-Dlog4j2.configurationFile=$ROOT/stack.d/kafka-log4j2.properties" \
        -cp "$KAFKA_LIB/*" kafka.Kafka "$props"
}
