package dev.sluice.config;

/**
 * A caller key set in the environment ({@code SLUICE_KEYS_<NAME>_SHA256}, {@code _PLAN}), for fleets
 * configured from Git or started without an admin call. Only its hash is configured.
 *
 * @param name   its name, lower case; its key id is {@code env-<name>}
 * @param sha256 hex SHA-256 of the key
 * @param plan   the name of its plan, which exists
 */
public record StaticKey(String name, String sha256, String plan) {

    /** The id logs, usage and metrics name it by. */
    public String id() {
        return "env-" + name;
    }
}
