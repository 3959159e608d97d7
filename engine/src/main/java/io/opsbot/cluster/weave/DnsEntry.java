package io.opsbot.cluster.weave;

/** A weaveDNS record: a container's host name and address, and the peer that registered it. */
public record DnsEntry(String hostname, String address, String containerId, String origin, boolean tombstone) {
}
