// Reads the whole microjobs event stream as an analytics team would, with no code of microjobs:
// Kafka's own Java client, Jackson, and networknt's JSON Schema validator.
//
// For every partition, from offset 0 to its end: checks the hash chain (each record's prev_hash
// is the SHA-256 of the previous record's value, seq counts from 1), the headers (mj_hash,
// ce_type, ce_id), the key (the stream), and validates each event against the JSON Schema of its
// type served at /v1/schemas. A repeat of a seq with the same bytes (a producer retry) is skipped,
// as the contract says; the same seq with other bytes is a fork; a gap stops that partition.
//
//   java -cp "$(cat classpath)" VerifyStream.java --bootstrap HOST:PORT [--topic microjobs.events]
//        [--schemas http://HOST:PORT/v1/schemas]
//
// Prints one line per problem, then one JSON summary line; exits 0 when there is no problem.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class VerifyStream {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ZERO_HASH = "0".repeat(64);

  final List<String> problems = new ArrayList<>();
  final Map<String, Integer> types = new TreeMap<>();
  Map<String, JsonSchema> schemas;
  long events = 0;

  static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> answer = http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) throw new IllegalStateException(url + " answered " + answer.statusCode());
    return answer.body();
  }

  static Map<String, JsonSchema> loadSchemas(String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = url.substring(0, url.indexOf("/v1/schemas"));
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    Map<String, JsonSchema> out = new HashMap<>();
    for (JsonNode entry : JSON.readTree(get(http, url)).get("types")) {
      JsonNode schema = JSON.readTree(get(http, base + entry.get("schema").asText()));
      out.put(entry.get("type").asText(), factory.getSchema(schema, config));
    }
    return out;
  }

  // One partition's chain, as every reader of the contract applies it.
  final class Chain {
    final int partition;
    long lastSeq = 0;
    String lastHash = ZERO_HASH;
    final Map<Long, String> hashes = new HashMap<>();
    boolean stopped = false;

    Chain(int partition) { this.partition = partition; }

    void problem(ConsumerRecord<byte[], byte[]> record, String text) {
      problems.add("partition " + partition + " offset " + record.offset() + ": " + text);
    }

    // True when the record continues the chain (a new event); false for a repeat or a problem.
    boolean apply(ConsumerRecord<byte[], byte[]> record, JsonNode envelope, String digest) {
      long seq = envelope.path("seq").asLong(-1);
      if (stopped) return false;
      if (seq >= 1 && seq <= lastSeq) {
        if (!digest.equals(hashes.get(seq))) problem(record, "fork: seq " + seq + " again with other bytes");
        return false;
      }
      if (seq != lastSeq + 1) {
        problem(record, "gap: seq " + seq + " after " + lastSeq + "; the partition stops here");
        stopped = true;
        return false;
      }
      if (!lastHash.equals(envelope.path("prev_hash").asText())) {
        problem(record, "broken chain at seq " + seq + ": prev_hash is not the previous record's hash");
        stopped = true;
        return false;
      }
      lastSeq = seq;
      lastHash = digest;
      hashes.put(seq, digest);
      return true;
    }
  }

  void check(Chain chain, ConsumerRecord<byte[], byte[]> record, JsonNode envelope, String digest) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    if (!digest.equals(headers.get("mj_hash"))) chain.problem(record, "header mj_hash is not the SHA-256 of the value");
    if (!envelope.path("type").asText().equals(headers.get("ce_type"))
        || !envelope.path("id").asText().equals(headers.get("ce_id"))) {
      chain.problem(record, "headers ce_type/ce_id do not match the envelope");
    }
    String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    if (!key.equals(envelope.path("stream").asText())) chain.problem(record, "the record key is not the envelope's stream");
    if (schemas == null) return;
    JsonSchema schema = schemas.get(envelope.path("type").asText());
    if (schema == null) {
      chain.problem(record, "no schema for type " + envelope.path("type").asText());
      return;
    }
    for (ValidationMessage error : schema.validate(envelope)) {
      chain.problem(record, "schema " + envelope.path("type").asText() + ": " + error.getMessage());
    }
  }

  void readPartition(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end) throws Exception {
    consumer.assign(List.of(partition));
    consumer.seek(partition, 0);
    Chain chain = new Chain(partition.partition());
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    // position() passes transaction markers too, so it reaches `end` even where records do not.
    while (consumer.position(partition) < end) {
      var batch = consumer.poll(Duration.ofSeconds(10));
      if (batch.isEmpty() && consumer.position(partition) < end) {
        throw new IllegalStateException("partition " + partition + ": nothing within 10 s");
      }
      for (ConsumerRecord<byte[], byte[]> record : batch) {
        String digest = HexFormat.of().formatHex(sha256.digest(record.value()));
        JsonNode envelope = JSON.readTree(record.value());
        check(chain, record, envelope, digest);
        if (chain.apply(record, envelope, digest)) {
          events++;
          types.merge(envelope.get("type").asText(), 1, Integer::sum);
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>(Map.of("--topic", "microjobs.events"));
    for (int i = 0; i + 1 < args.length; i += 2) options.put(args[i], args[i + 1]);
    if (!options.containsKey("--bootstrap")) {
      System.err.println("usage: VerifyStream --bootstrap HOST:PORT [--topic T] [--schemas URL]");
      System.exit(2);
    }
    VerifyStream verify = new VerifyStream();
    if (options.containsKey("--schemas")) verify.schemas = loadSchemas(options.get("--schemas"));
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("--bootstrap"));
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "verify-" + UUID.randomUUID());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");  // the ends come sooner
    String topic = options.get("--topic");
    int partitions;
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      partitions = infos.size();
      for (int p = 0; p < partitions; ++p) {
        TopicPartition partition = new TopicPartition(topic, p);
        long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        verify.readPartition(consumer, partition, end);
      }
    }
    verify.problems.forEach(System.out::println);
    ObjectNode summary = JSON.createObjectNode();
    summary.put("ok", verify.problems.isEmpty()).put("partitions", partitions).put("events", verify.events)
        .put("schemas_checked", verify.schemas != null).put("problems", verify.problems.size());
    summary.set("types", JSON.valueToTree(verify.types));
    System.out.println(summary);
    System.exit(verify.problems.isEmpty() ? 0 : 1);
  }
}
