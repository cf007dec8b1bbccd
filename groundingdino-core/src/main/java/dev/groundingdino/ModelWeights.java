package dev.groundingdino;

import dev.groundingdino.internal.hub.HttpDownload;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The officially released GroundingDINO checkpoints: where they are published, their size and SHA-256, and where
 * this library keeps them (the user cache folder, {@link #cacheDir()}).
 *
 * <p>{@link #locate()} never touches the network: it returns the cached file after checking its size and SHA-256
 * (the hash is remembered in a {@code .sha256} file beside it, so a 700 MB file is hashed once), or fails at once
 * with a message that says where to put the file. {@link #download(LongConsumer)} fetches it into the cache
 * (through a {@code .part} file that is verified before it is moved into place).
 *
 * <p>The SHA-256 values are not published by IDEA-Research; they were taken from several independent public records
 * of the release files (hash and byte size agreeing across them) and are checked again on every new file.
 */
public final class ModelWeights {
    /** System property overriding the cache folder. */
    public static final String CACHE_PROPERTY = "groundingdino.cache";

    /**
     * {@code groundingdino_swint_ogc.pth} (GroundingDINO_SwinT_OGC.py), release v0.1.0-alpha: 693,997,677 bytes,
     * SHA-256 3b3ca256...c799.
     */
    public static final ModelWeights SWINT_OGC = new ModelWeights("groundingdino_swint_ogc",
            "groundingdino_swint_ogc.pth", "GroundingDINO Swin-T OGC (Objects365, GoldG, Cap4M; COCO zero-shot 48.4 AP)",
            List.of(URI.create("https://github.com/IDEA-Research/GroundingDINO/releases/download/v0.1.0-alpha/"
                            + "groundingdino_swint_ogc.pth"),
                    URI.create("https://huggingface.co/ShilongLiu/GroundingDINO/resolve/main/"
                            + "groundingdino_swint_ogc.pth")),
            693_997_677L, "3b3ca2563c77c69f651d7bd133e97139c186df06231157a64c507099c52bc799");

    /**
     * {@code groundingdino_swinb_cogcoor.pth} (GroundingDINO_SwinB_cfg.py), release v0.1.0-alpha2: 938,057,991 bytes,
     * SHA-256 46270f7a...6ab7.
     */
    public static final ModelWeights SWINB_COGCOOR = new ModelWeights("groundingdino_swinb_cogcoor",
            "groundingdino_swinb_cogcoor.pth",
            "GroundingDINO Swin-B (COCO, O365, GoldG, Cap4M, OpenImage, ODinW-35, RefCOCO; COCO zero-shot 56.7 AP)",
            List.of(URI.create("https://github.com/IDEA-Research/GroundingDINO/releases/download/v0.1.0-alpha2/"
                            + "groundingdino_swinb_cogcoor.pth"),
                    URI.create("https://huggingface.co/ShilongLiu/GroundingDINO/resolve/main/"
                            + "groundingdino_swinb_cogcoor.pth")),
            938_057_991L, "46270f7a822e6906b655b729c90613e48929d0f2bb8b9b76fd10a856f3ac6ab7");

    private static final List<ModelWeights> ALL = List.of(SWINT_OGC, SWINB_COGCOOR);
    private static final Map<String, ModelWeights> ALIASES = Map.of(
            "swint_ogc", SWINT_OGC, "swint", SWINT_OGC, "swin-t", SWINT_OGC, "tiny", SWINT_OGC,
            "swinb_cogcoor", SWINB_COGCOOR, "swinb", SWINB_COGCOOR, "swin-b", SWINB_COGCOOR, "base", SWINB_COGCOOR);

    private final String name;
    private final String fileName;
    private final String description;
    private final List<URI> urls;
    private final long size;
    private final String sha256;
    private final Path cacheDir;

    ModelWeights(String name, String fileName, String description, List<URI> urls, long size, String sha256) {
        this(name, fileName, description, urls, size, sha256, null);
    }

    private ModelWeights(String name, String fileName, String description, List<URI> urls, long size,
            String sha256, Path cacheDir) {
        this.name = name;
        this.fileName = fileName;
        this.description = description;
        this.urls = List.copyOf(urls);
        this.size = size;
        this.sha256 = sha256;
        this.cacheDir = cacheDir;
    }

    /** The released checkpoints. */
    public static List<ModelWeights> all() {
        return ALL;
    }

    /**
     * The checkpoint with this name: {@code groundingdino_swint_ogc} (also {@code swint_ogc}, {@code swint},
     * {@code swin-t}, {@code tiny}, with or without {@code .pth}) or {@code groundingdino_swinb_cogcoor}
     * ({@code swinb_cogcoor}, {@code swinb}, {@code swin-b}, {@code base}); case-insensitive.
     */
    public static Optional<ModelWeights> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.endsWith(".pth")) {
            n = n.substring(0, n.length() - 4);
        }
        for (ModelWeights w : ALL) {
            if (w.name.equals(n)) {
                return Optional.of(w);
            }
        }
        return Optional.ofNullable(ALIASES.get(n));
    }

    /**
     * The folder this library caches checkpoints in: {@code -Dgroundingdino.cache}, else
     * {@code $XDG_CACHE_HOME/groundingdino}, else {@code ~/.cache/groundingdino}.
     */
    public static Path cacheDir() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "groundingdino");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "groundingdino");
    }

    /** This checkpoint cached in another folder (tests, or an application's own model folder). */
    public ModelWeights inCache(Path folder) {
        return new ModelWeights(name, fileName, description, urls, size, sha256,
                Objects.requireNonNull(folder, "folder").toAbsolutePath());
    }

    /** This checkpoint published at other addresses (a mirror). */
    public ModelWeights withUrls(List<URI> mirrors) {
        return new ModelWeights(name, fileName, description, mirrors, size, sha256, cacheDir);
    }

    public String name() {
        return name;
    }

    public String fileName() {
        return fileName;
    }

    public String description() {
        return description;
    }

    /** Download addresses, the official release first. */
    public List<URI> urls() {
        return urls;
    }

    /** Size of the release file in bytes. */
    public long size() {
        return size;
    }

    /** SHA-256 of the release file, lowercase hex. */
    public String sha256() {
        return sha256;
    }

    /** Where the file belongs: {@code <cache folder>/<file name>}. */
    public Path cachedFile() {
        return (cacheDir != null ? cacheDir : cacheDir()).resolve(fileName);
    }

    /**
     * The verified cached file, without any network access.
     *
     * @throws CheckpointException if the file is absent (the message says where to put it and where to get it),
     *     or present with the wrong size or SHA-256 (damaged or another file: the message says to replace it)
     */
    public Path locate() {
        Path file = cachedFile();
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("The " + fileName + " checkpoint is not in the cache. Download it from "
                    + urls.get(0) + (urls.size() > 1 ? " (mirror: " + urls.get(1) + ")" : "") + " and put it at "
                    + file + " (" + size + " bytes, SHA-256 " + sha256 + "), or pass the path of a copy you "
                    + "already have. The cache folder is -D" + CACHE_PROPERTY + ", else $XDG_CACHE_HOME/groundingdino,"
                    + " else ~/.cache/groundingdino.");
        }
        verify(file);
        return file;
    }

    /**
     * Checks the size and SHA-256 of {@code file} (a matching {@code <file>.sha256} record written after an earlier
     * check, with the same size and modification time, saves hashing again).
     *
     * @throws CheckpointException if they differ or the file cannot be read
     */
    public void verify(Path file) {
        try {
            long actualSize = Files.size(file);
            if (actualSize != size) {
                throw new CheckpointException(file + " has " + actualSize + " bytes but " + fileName + " has " + size
                        + " (an incomplete download or another file). Delete it and download it again from "
                        + urls.get(0) + ".");
            }
            Path record = recordOf(file);
            String stamp = sha256 + " " + actualSize + " "
                    + Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
            if (Files.isRegularFile(record)
                    && Files.readString(record, StandardCharsets.UTF_8).strip().equals(stamp)) {
                return;
            }
            String actual = sha256(file);
            if (!actual.equals(sha256)) {
                throw new CheckpointException(file + " has SHA-256 " + actual + " but " + fileName + " has " + sha256
                        + " (a damaged download or another file of the same size). Delete it and download it again "
                        + "from " + urls.get(0) + ".");
            }
            try {
                Files.writeString(record, stamp + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                // a read-only cache only costs hashing again next time
            }
        } catch (IOException e) {
            throw new CheckpointException("Could not read " + file + " to verify it: " + e + ".", e);
        }
    }

    /**
     * Downloads the checkpoint into the cache unless a verified copy is there, trying each address in turn (10 s
     * connect timeout), and verifies it.
     *
     * @param progress receives the number of bytes received so far, or null
     * @return the verified cached file
     * @throws CheckpointException if no address works (the message gives the manual steps) or the download does
     *     not match the expected size and SHA-256
     */
    public Path download(LongConsumer progress) {
        Path file = cachedFile();
        if (Files.isRegularFile(file)) {
            verify(file);
            return file;
        }
        StringBuilder failures = new StringBuilder();
        for (URI url : urls) {
            Path part = file.resolveSibling(fileName + ".part");
            try {
                HttpDownload.get(url, part, progress);
                verify(part);
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(recordOf(part));
                verify(file);
                return file;
            } catch (HttpDownload.Failure e) {
                failures.append("\n  ").append(e.getMessage());
            } catch (IOException | CheckpointException e) {
                failures.append("\n  ").append(url).append(": ").append(e.getMessage() == null ? e : e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CheckpointException("The download of " + fileName + " was interrupted.", e);
            } finally {
                try {
                    Files.deleteIfExists(part);
                    Files.deleteIfExists(recordOf(part));
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
        throw new CheckpointException("Could not download " + fileName + ":" + failures + "\nDownload it by other "
                + "means and put it at " + file + " (" + size + " bytes, SHA-256 " + sha256 + ").");
    }

    /** The lowercase hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        return HttpDownload.digest("SHA-256", new byte[0], file);
    }

    private static Path recordOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    @Override
    public String toString() {
        return name + " (" + fileName + ")";
    }
}
