package io.opsbot.cluster.weave;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.opsbot.cluster.http.Json;
import io.opsbot.engine.OpsException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Typed reader of Weave Net's router status: the JSON report, its peers and weaveDNS entries. Weave writes Go
 * field names (capitalized) in /report and lower-case tags in /name; fields are matched ignoring case.
 */
public final class WeaveClient {

    private final WeaveTransport transport;
    private final String where;

    /** @param where the node or URL, for messages ("node2") */
    public WeaveClient(WeaveTransport transport, String where) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.where = where == null ? "Weave" : where;
    }

    /** GET /report (Accept: application/json). */
    public WeaveReport report() {
        JsonNode node = parse(transport.get("report", "application/json"), "report");
        JsonNode router = field(node, "Router");
        JsonNode dns = field(node, "DNS");
        JsonNode ipam = field(node, "IPAM");
        return new WeaveReport(
                bool(node, "Ready", true),
                text(node, "Version"),
                new WeaveReport.Router(text(router, "Name"), text(router, "NickName"),
                        Json.list(field(router, "Peers"), WeaveClient::peer),
                        Json.list(field(router, "Connections"), WeaveClient::connection)),
                dns.isMissingNode() ? null
                        : new WeaveReport.Dns(text(dns, "Domain"), Json.list(field(dns, "Entries"), WeaveClient::dnsEntry)),
                ipam.isMissingNode() ? null
                        : new WeaveReport.Ipam(text(ipam, "Range"), text(ipam, "DefaultSubnet"),
                        field(ipam, "RangeNumIPs").asLong(0), field(ipam, "ActiveIPs").asLong(0)),
                node);
    }

    /** The peers of the mesh, from the report. */
    public List<WeaveReport.Peer> peers() {
        return report().router().peers();
    }

    /** GET /name: every weaveDNS entry this router knows (tombstoned ones included, flagged). */
    public List<DnsEntry> dnsEntries() {
        return Json.list(parse(transport.get("name", "application/json"), "name"), WeaveClient::dnsEntry);
    }

    /** GET /status as plain text, as `weave status` prints it. */
    public String status() {
        return transport.get("status", "text/plain");
    }

    private JsonNode parse(String body, String path) {
        if (body == null || body.isBlank()) {
            throw new OpsException("Weave on " + where + " answered /" + path + " with an empty body");
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new OpsException("Weave on " + where + " answered /" + path + " with malformed JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
    }

    private static WeaveReport.Peer peer(JsonNode node) {
        return new WeaveReport.Peer(text(node, "Name"), text(node, "NickName"),
                Json.list(field(node, "Connections"), c -> new WeaveReport.PeerConnection(text(c, "Name"),
                        text(c, "NickName"), text(c, "Address"), bool(c, "Outbound", false), bool(c, "Established", false))));
    }

    private static WeaveReport.Connection connection(JsonNode node) {
        return new WeaveReport.Connection(text(node, "Address"), bool(node, "Outbound", false), text(node, "State"),
                text(node, "Info"));
    }

    private static DnsEntry dnsEntry(JsonNode node) {
        return new DnsEntry(text(node, "Hostname"), text(node, "Address"), text(node, "ContainerID"),
                text(node, "Origin"), field(node, "Tombstone").asLong(0) > 0);
    }

    /** A field matched ignoring case; missing and null read as MissingNode. */
    static JsonNode field(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return MissingNode.getInstance();
        }
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact.isNull() ? MissingNode.getInstance() : exact;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue().isNull() ? MissingNode.getInstance() : e.getValue();
            }
        }
        return MissingNode.getInstance();
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = field(node, name);
        return value.isMissingNode() ? null : value.asText();
    }

    private static boolean bool(JsonNode node, String name, boolean fallback) {
        JsonNode value = field(node, name);
        return value.isBoolean() ? value.asBoolean() : fallback;
    }
}
