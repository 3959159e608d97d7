package io.opsbot.cluster.docker;

import io.opsbot.engine.OpsException;

/** An image reference split the way the Engine API wants it for a push: repository and tag. */
record ImageRef(String repository, String tag) {

    static ImageRef parse(String ref) {
        if (ref == null || ref.isBlank() || ref.contains("@")) {
            throw new OpsException("'" + ref + "' is not an image reference of the form [registry/]repository[:tag]");
        }
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        // A colon before the last slash belongs to the registry's host:port, not to a tag.
        if (colon > slash) {
            return new ImageRef(ref.substring(0, colon), ref.substring(colon + 1));
        }
        return new ImageRef(ref, "latest");
    }

    /** The repository's last path part, the name a person recognises ({@code nodeapp} for node1:5000/nodeapp). */
    String shortName() {
        return repository.substring(repository.lastIndexOf('/') + 1);
    }

    @Override
    public String toString() {
        return repository + ":" + tag;
    }
}
