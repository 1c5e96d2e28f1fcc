package org.ladderae.checkpoints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code manifest.json} of one tuned kernel: what it computes, how to launch it, where and how it
 * was tuned, and the SHA-256 of its binary (which sits next to the manifest). {@code binarySha256}
 * and {@code createdAt} may be null on a manifest the tuner is about to save: {@link CheckpointStore#save}
 * fills them in; every manifest read from disk has them.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CheckpointManifest(
        int schemaVersion,
        String name,
        String operator,
        KernelShape shape,
        String weightFormat,
        String activationFormat,
        String stage,
        LaunchConfig launch,
        String entryName,
        String arch,
        String gpuName,
        String driverVersion,
        String nvccVersion,
        TuningSummary tuning,
        String binaryFile,
        String binarySha256,
        String createdAt) {

    public static final int SCHEMA_VERSION = 1;
    public static final String FILE_NAME = "manifest.json";

    /** Names become directory and file names: keep them to one plain path segment. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}");
    private static final Pattern ARCH = Pattern.compile("sm_[0-9]{2,3}[a-z]?");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public CheckpointManifest {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("schema_version " + schemaVersion + " is not supported (this ladder-ae reads "
                    + SCHEMA_VERSION + "; a newer ladder-ae wrote it)");
        }
        requireSafeName(name, "name");
        CheckpointKey key = new CheckpointKey(operator, shape, weightFormat, activationFormat, stage);
        operator = key.operator();
        weightFormat = key.weightFormat();
        activationFormat = key.activationFormat();
        stage = key.stage();
        Objects.requireNonNull(launch, "launch is missing");
        CheckpointKey.normalize(entryName, "entry_name");
        requireArch(arch);
        gpuName = CheckpointKey.normalize(gpuName, "gpu_name");
        driverVersion = CheckpointKey.normalize(driverVersion, "driver_version");
        nvccVersion = CheckpointKey.normalize(nvccVersion, "nvcc_version");
        Objects.requireNonNull(tuning, "tuning is missing");
        requireSafeName(binaryFile, "binary_file");
        if (binaryFile.equals(FILE_NAME)) throw new IllegalArgumentException("binary_file cannot be " + FILE_NAME);
        if (binarySha256 != null && !SHA256.matcher(binarySha256).matches()) {
            throw new IllegalArgumentException("binary_sha256 must be 64 lower-case hex digits");
        }
    }

    public CheckpointKey key() {
        return new CheckpointKey(operator, shape, weightFormat, activationFormat, stage);
    }

    /** This manifest describing {@code binary}, created at {@code createdAt} (ISO-8601). */
    public CheckpointManifest withBinary(byte[] binary, String createdAt) {
        return new CheckpointManifest(schemaVersion, name, operator, shape, weightFormat, activationFormat, stage, launch,
                entryName, arch, gpuName, driverVersion, nvccVersion, tuning, binaryFile, Sha256.of(binary), createdAt);
    }

    public byte[] toJson() {
        try {
            byte[] body = JSON.writeValueAsBytes(this);
            byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
            withNewline[body.length] = '\n';
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest always serialises", e);
        }
    }

    /** Parses a manifest; any problem becomes one line naming {@code source}. */
    public static CheckpointManifest fromJson(byte[] json, Path source) {
        CheckpointManifest m;
        try {
            m = JSON.readValue(json, CheckpointManifest.class);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CheckpointException("manifest " + source + " is not valid: " + cause.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException("manifest " + source + " is not valid JSON for schema " + SCHEMA_VERSION + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (m == null) throw new CheckpointException("manifest " + source + " is empty");
        if (m.binarySha256() == null || m.createdAt() == null) {
            throw new CheckpointException("manifest " + source + " is not valid: binary_sha256 and created_at are required");
        }
        return m;
    }

    public static CheckpointManifest read(Path file) throws IOException {
        return fromJson(Files.readAllBytes(file), file);
    }

    static void requireSafeName(String value, String field) {
        if (value == null || !SAFE_NAME.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(field + " '" + value + "' must be 1-200 letters, digits, '_', '.', '+' or '-'"
                    + " (it becomes a file name)");
        }
    }

    static void requireArch(String arch) {
        if (arch == null || !ARCH.matcher(arch).matches()) {
            throw new IllegalArgumentException("arch '" + arch + "' is not a CUDA SM architecture like sm_90a");
        }
    }

    static boolean isArch(String text) { return ARCH.matcher(text).matches(); }
}
