package io.opsbot.bot.command;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a command may use, taken from the configuration. Every name a user types is checked against these
 * before anything runs. The sets handed out are unmodifiable and sorted, so error messages list them in order.
 *
 * @param apps     the app catalog, e.g. mongo, nginx, nodeapp
 * @param nodes    the cluster's hosts, e.g. node1, node2, node3
 * @param services the system services whose logs can be read, e.g. marathon, docker
 */
public record KnownNames(Set<String> apps, Set<String> nodes, Set<String> services) {

    /** The services every node of the reference cluster runs; configuration may name others. */
    public static final Set<String> DEFAULT_SERVICES = sorted(
            Set.of("marathon", "mesos-master", "mesos-slave", "zookeeper", "docker", "weave", "flocker"));

    public KnownNames {
        apps = sorted(apps);
        nodes = sorted(nodes);
        services = sorted(services);
    }

    /** Names with the services of the reference cluster. */
    public static KnownNames withDefaultServices(Collection<String> apps, Collection<String> nodes) {
        return withDefaultServices(apps, nodes, Set.of());
    }

    /** Names with the services of the reference cluster and those the configuration's inventory adds. */
    public static KnownNames withDefaultServices(Collection<String> apps, Collection<String> nodes, Collection<String> inventory) {
        Set<String> services = new TreeSet<>(DEFAULT_SERVICES);
        services.addAll(inventory);
        return new KnownNames(Set.copyOf(apps), Set.copyOf(nodes), services);
    }

    private static Set<String> sorted(Collection<String> names) {
        TreeSet<String> copy = new TreeSet<>();
        if (names != null) {
            for (String name : names) {
                if (name != null && !name.isBlank()) {
                    copy.add(name.strip());
                }
            }
        }
        return Collections.unmodifiableSortedSet(copy);
    }
}
