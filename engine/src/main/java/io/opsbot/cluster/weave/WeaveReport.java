package io.opsbot.cluster.weave;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The parts of Weave's GET /report the bot shows. The router reports Go field names (Ready, Version, Router,
 * DNS, IPAM); {@code raw} keeps the rest (Proxy, Plugin, …).
 */
public record WeaveReport(boolean ready, String version, Router router, Dns dns, Ipam ipam, JsonNode raw) {

    /** This router, its peers (all routers it knows) and its own connections. */
    public record Router(String name, String nickName, List<Peer> peers, List<Connection> connections) {
    }

    /** A peer of the mesh and the connections it has established. */
    public record Peer(String name, String nickName, List<PeerConnection> connections) {
    }

    public record PeerConnection(String name, String nickName, String address, boolean outbound, boolean established) {
    }

    /** A connection of this router: State is e.g. "established", "pending", "failed". */
    public record Connection(String address, boolean outbound, String state, String info) {
    }

    public record Dns(String domain, List<DnsEntry> entries) {
    }

    /** Weave's IP allocation: the range, the default subnet and how many addresses are in use. */
    public record Ipam(String range, String defaultSubnet, long rangeNumIps, long activeIps) {
    }
}
