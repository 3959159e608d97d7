package io.opsbot.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.resource.classpath.ClassPathResource;

/**
 * The migrations this build carries, handed to Flyway by name, so that migrating a journal (a fresh home, an
 * upgrade) does not make Flyway scan the whole class path (the launcher's jar holds some 38,000 entries: ~0.4 s of a
 * Slack bot's start on a fresh home). The names come from {@link SchemaVersion#bundled}, which already listed the
 * locations; each is loaded as Flyway's own class path resource would be. When a name is not a direct child of
 * exactly one location, Flyway scans as before ({@link #of} is empty).
 */
final class BundledMigrations implements ResourceProvider {

    /** There are no Java migrations: SchemaVersion only vouches for locations that hold SQL files alone. */
    static final ClassProvider<JavaMigration> NO_JAVA_MIGRATIONS = List::of;

    private final List<LoadableResource> resources;

    private BundledMigrations(List<LoadableResource> resources) {
        this.resources = resources;
    }

    /** A provider of exactly {@code scripts} (file names found under {@code locations}), or empty to let Flyway scan. */
    static Optional<BundledMigrations> of(ClassLoader loader, List<String> locations, Collection<String> scripts) {
        List<LoadableResource> resources = new ArrayList<>();
        for (String script : scripts) {
            Optional<String> location = SchemaVersion.locationOf(loader, locations, script);
            if (location.isEmpty()) {
                return Optional.empty(); // in a sub-folder, or in two locations: Flyway's scan decides
            }
            String found = location.get();
            resources.add(new ClassPathResource(new Location("classpath:" + found), found + "/" + script, loader,
                    StandardCharsets.UTF_8));
        }
        return Optional.of(new BundledMigrations(List.copyOf(resources)));
    }

    @Override
    public LoadableResource getResource(String name) {
        for (LoadableResource resource : resources) {
            if (resource.getRelativePath().equals(name) || resource.getAbsolutePath().equals(name)) {
                return resource;
            }
        }
        return null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<LoadableResource> matching = new ArrayList<>();
        for (LoadableResource resource : resources) {
            String name = resource.getFilename();
            if (name.startsWith(prefix)) {
                for (String suffix : suffixes) {
                    if (name.endsWith(suffix)) {
                        matching.add(resource);
                        break;
                    }
                }
            }
        }
        return matching;
    }
}
