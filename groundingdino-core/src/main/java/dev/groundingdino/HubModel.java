package dev.groundingdino;

import dev.groundingdino.internal.hub.HttpDownload;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * The GroundingDINO-family models published on the Hugging Face Hub in the {@code transformers} layout (a folder
 * with {@code config.json} and {@code model.safetensors}): IDEA-Research's GroundingDINO, OpenMMLab's
 * MM-GroundingDINO and LLMDet. {@link Detector#load} reads such a folder; this class finds or fetches it.
 *
 * <p>{@link #locate()} never touches the network: it returns this library's cached copy
 * ({@code <cache folder>/<name>/}, the cache folder of {@link ModelWeights#cacheDir()}), else a complete snapshot
 * in the cache of the Python {@code huggingface_hub} library ({@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub},
 * else {@code ~/.cache/huggingface/hub}), so models downloaded for Python are not downloaded twice. Otherwise it
 * fails with a message saying where to put the files. {@link #download(LongConsumer)} fetches both files from the
 * Hub (or the mirror in {@code $HF_ENDPOINT}) into this library's cache; the weights file is checked against the
 * SHA-256 the Hub publishes for it ({@code X-Linked-Etag}) and {@code config.json} against its git blob hash.
 *
 * <p>The accuracy in each {@link #description()} is the zero-shot box AP its authors report; see
 * {@code docs/hub-models.md} for the sources.
 */
public final class HubModel {
    /** The Hub's address; {@code $HF_ENDPOINT} replaces it, as for {@code huggingface_hub}. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** The two files of a model. */
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    /** IDEA-Research/grounding-dino-tiny: the official Swin-T release converted by transformers. */
    public static final HubModel GROUNDING_DINO_TINY = of("IDEA-Research/grounding-dino-tiny",
            "GroundingDINO Swin-T (O365, GoldG, Cap4M; COCO zero-shot 48.4 AP)");
    /** IDEA-Research/grounding-dino-base: the official Swin-B release converted by transformers. */
    public static final HubModel GROUNDING_DINO_BASE = of("IDEA-Research/grounding-dino-base",
            "GroundingDINO Swin-B (COCO, O365, GoldG, Cap4M, OpenImage, ODinW-35, RefCOCO; COCO 56.7 AP, not "
                    + "zero-shot)");
    /** MM-GroundingDINO Swin-T on O365 + GoldG + V3Det: the strongest tiny MM-GroundingDINO on LVIS. */
    public static final HubModel MM_GROUNDING_DINO_TINY = of(
            "openmmlab-community/mm_grounding_dino_tiny_o365v1_goldg_v3det",
            "MM-GroundingDINO Swin-T (O365, GoldG, V3Det; COCO zero-shot 50.6 AP, LVIS minival 40.5 AP)");
    /** LLMDet Swin-T. */
    public static final HubModel LLMDET_TINY = of("iSEE-Laboratory/llmdet_tiny",
            "LLMDet Swin-T (MM-GroundingDINO fine-tuned with GroundingCap-1M; LVIS minival 44.7 AP)");

    private static final List<HubModel> ALL = List.of(GROUNDING_DINO_TINY, GROUNDING_DINO_BASE,
            of("openmmlab-community/mm_grounding_dino_tiny_o365v1_goldg",
                    "MM-GroundingDINO Swin-T (O365, GoldG; COCO zero-shot 50.4 AP, LVIS minival 35.7 AP)"),
            of("openmmlab-community/mm_grounding_dino_tiny_o365v1_goldg_grit",
                    "MM-GroundingDINO Swin-T (O365, GoldG, GRIT; COCO zero-shot 50.5 AP, LVIS minival 36.5 AP)"),
            MM_GROUNDING_DINO_TINY,
            of("openmmlab-community/mm_grounding_dino_tiny_o365v1_goldg_grit_v3det",
                    "MM-GroundingDINO Swin-T (O365, GoldG, GRIT, V3Det; COCO zero-shot 50.4 AP, LVIS minival "
                            + "41.4 AP)"),
            of("openmmlab-community/mm_grounding_dino_base_o365v1_goldg_v3det",
                    "MM-GroundingDINO Swin-B (O365, GoldG, V3Det; COCO zero-shot 52.5 AP)"),
            of("openmmlab-community/mm_grounding_dino_base_all",
                    "MM-GroundingDINO Swin-B (O365 and all grounding/detection data; COCO 59.5 AP, not zero-shot)"),
            of("openmmlab-community/mm_grounding_dino_large_o365v2_oiv6_goldg",
                    "MM-GroundingDINO Swin-L (O365V2, OpenImageV6, GoldG; COCO zero-shot 53.0 AP)"),
            of("openmmlab-community/mm_grounding_dino_large_all",
                    "MM-GroundingDINO Swin-L (O365V2, OpenImageV6 and all grounding/detection data; COCO 60.3 AP, "
                            + "not zero-shot)"),
            LLMDET_TINY,
            of("iSEE-Laboratory/llmdet_base",
                    "LLMDet Swin-B (MM-GroundingDINO fine-tuned with GroundingCap-1M; LVIS minival 48.3 AP)"),
            of("iSEE-Laboratory/llmdet_large",
                    "LLMDet Swin-L (MM-GroundingDINO fine-tuned with GroundingCap-1M; LVIS minival 51.1 AP)"));

    private final String repoId;
    private final String description;
    private final String revision;
    private final Path cacheDir;
    private final URI endpoint;
    private final Path hfCache;

    private HubModel(String repoId, String description, String revision, Path cacheDir, URI endpoint,
            Path hfCache) {
        this.repoId = repoId;
        this.description = description;
        this.revision = revision;
        this.cacheDir = cacheDir;
        this.endpoint = endpoint;
        this.hfCache = hfCache;
    }

    private static HubModel of(String repoId, String description) {
        return new HubModel(repoId, description, "main", null, null, null);
    }

    /** The known models, GroundingDINO first, then MM-GroundingDINO, then LLMDet. */
    public static List<HubModel> all() {
        return ALL;
    }

    /**
     * The known model with this name: the repository name ({@code grounding-dino-tiny},
     * {@code mm_grounding_dino_tiny_o365v1_goldg_v3det}, {@code llmdet_tiny}, ...) or the full repository id
     * ({@code IDEA-Research/grounding-dino-tiny}); case-insensitive.
     */
    public static Optional<HubModel> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (HubModel m : ALL) {
            if (m.name().toLowerCase(Locale.ROOT).equals(n) || m.repoId.toLowerCase(Locale.ROOT).equals(n)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Any Hub repository in the {@code transformers} GroundingDINO / MM-GroundingDINO layout (a fine-tuned model of
     * your own, ...); {@link Detector#load} checks the files when it reads them.
     *
     * @throws IllegalArgumentException if {@code repoId} is not of the form {@code owner/name}
     */
    public static HubModel repository(String repoId, String description) {
        Objects.requireNonNull(repoId, "repoId");
        if (!repoId.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("a Hub repository id is owner/name, e.g. "
                    + "IDEA-Research/grounding-dino-tiny; got '" + repoId + "'");
        }
        return of(repoId, description == null ? repoId : description);
    }

    /** This model at another revision (a branch, tag or commit of the Hub repository; default {@code main}). */
    public HubModel atRevision(String value) {
        if (value == null || value.isBlank() || value.contains("..") || value.contains("\\")) {
            throw new IllegalArgumentException("not a revision: '" + value + "'");
        }
        return new HubModel(repoId, description, value, cacheDir, endpoint, hfCache);
    }

    /** This model cached in another folder (tests, or an application's own model folder). */
    public HubModel inCache(Path folder) {
        return new HubModel(repoId, description, revision, Objects.requireNonNull(folder, "folder").toAbsolutePath(),
                endpoint, hfCache);
    }

    /** This model served from another address (a mirror of the Hub; {@code $HF_ENDPOINT} by default). */
    public HubModel withEndpoint(URI value) {
        return new HubModel(repoId, description, revision, cacheDir, Objects.requireNonNull(value, "endpoint"),
                hfCache);
    }

    /** This model looked up in another {@code huggingface_hub} cache folder (the one holding {@code models--*}). */
    public HubModel withHuggingFaceCache(Path folder) {
        return new HubModel(repoId, description, revision, cacheDir, endpoint,
                Objects.requireNonNull(folder, "folder").toAbsolutePath());
    }

    /** The repository name, e.g. {@code grounding-dino-tiny}. */
    public String name() {
        return repoId.substring(repoId.indexOf('/') + 1);
    }

    /** The repository id, e.g. {@code IDEA-Research/grounding-dino-tiny}. */
    public String repoId() {
        return repoId;
    }

    public String description() {
        return description;
    }

    public String revision() {
        return revision;
    }

    /** The model's page. */
    public URI page() {
        return URI.create(DEFAULT_ENDPOINT + "/" + repoId);
    }

    /** The download address of one of its files ({@link #CONFIG} or {@link #WEIGHTS}). */
    public URI fileUrl(String file) {
        return URI.create(endpoint() + "/" + repoId + "/resolve/" + revision + "/" + file);
    }

    /** Where this library keeps it: {@code <cache folder>/<name>/} ({@code <name>@<revision>} for a revision). */
    public Path cachedFolder() {
        Path root = cacheDir != null ? cacheDir : ModelWeights.cacheDir();
        return root.resolve(revision.equals("main") ? name() : name() + "@" + revision.replace('/', '_'));
    }

    /**
     * The folder holding both files, without any network access: this library's cache, else the
     * {@code huggingface_hub} cache.
     *
     * @throws CheckpointException if neither has both files (the message says where to put them and where to get
     *     them)
     */
    public Path locate() {
        Path own = cachedFolder();
        if (complete(own)) {
            return own;
        }
        Path snapshot = huggingFaceSnapshot();
        if (snapshot != null) {
            return snapshot;
        }
        throw new CheckpointException("The Hugging Face model " + repoId + " is not in the cache. Download "
                + fileUrl(CONFIG) + " and " + fileUrl(WEIGHTS) + " into " + own + " (or pass the folder you "
                + "downloaded them to; a huggingface_hub download in " + huggingFaceCache() + " is found too).");
    }

    /**
     * Downloads both files into this library's cache unless they are there (or in the {@code huggingface_hub}
     * cache), each through a {@code .part} file verified before it is moved into place.
     *
     * @param progress receives the number of bytes of {@code model.safetensors} received so far, or null
     * @return the folder holding both files
     * @throws CheckpointException if a file cannot be downloaded (the message gives the manual steps) or does not
     *     match the hash the Hub publishes for it
     */
    public Path download(LongConsumer progress) {
        Path own = cachedFolder();
        if (complete(own)) {
            return own;
        }
        Path snapshot = huggingFaceSnapshot();
        if (snapshot != null) {
            return snapshot;
        }
        try {
            Files.createDirectories(own);
            fetch(CONFIG, own, null);
            fetch(WEIGHTS, own, progress);
            return own;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("The download of " + repoId + " was interrupted.", e);
        } catch (IOException e) {
            String why = e instanceof HttpDownload.Failure f && f.status() == 401
                    ? " (HTTP 401: the repository is private or gated; download it with a token by other means)"
                    : e instanceof HttpDownload.Failure f && f.status() == 404
                    ? " (HTTP 404: the repository, revision or file does not exist; check " + page() + ")" : "";
            throw new CheckpointException("Could not download " + repoId + ": " + e.getMessage() + why
                    + ". Download " + CONFIG + " and " + WEIGHTS + " from " + page() + " by other means and put "
                    + "them in " + own + ".", e);
        }
    }

    private void fetch(String file, Path folder, LongConsumer progress) throws IOException, InterruptedException {
        Path target = folder.resolve(file);
        if (Files.isRegularFile(target)) {
            return;
        }
        URI url = fileUrl(file);
        HttpHeaders headers = HttpDownload.head(url);
        String expected = headers.firstValue("x-linked-etag").or(() -> headers.firstValue("etag")).orElse("")
                .replace("W/", "").replace("\"", "").strip().toLowerCase(Locale.ROOT);
        Path part = folder.resolve(file + ".part");
        try {
            HttpDownload.get(url, part, progress);
            String actual = null;
            if (SHA256.matcher(expected).matches()) {
                actual = HttpDownload.digest("SHA-256", new byte[0], part);
            } else if (SHA1.matcher(expected).matches()) { // a small file: the git blob hash
                byte[] prefix = ("blob " + Files.size(part) + "\0").getBytes(StandardCharsets.US_ASCII);
                actual = HttpDownload.digest("SHA-1", prefix, part);
            }
            if (actual != null && !actual.equals(expected)) {
                throw new IOException(url + " arrived with hash " + actual + " but the Hub publishes " + expected
                        + " (a damaged download)");
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static boolean complete(Path folder) {
        return Files.isRegularFile(folder.resolve(CONFIG)) && Files.isRegularFile(folder.resolve(WEIGHTS));
    }

    /** The {@code huggingface_hub} snapshot of this revision holding both files, or null. */
    private Path huggingFaceSnapshot() {
        Path repo = huggingFaceCache().resolve("models--" + repoId.replace("/", "--"));
        List<Path> candidates = new ArrayList<>();
        try {
            Path ref = repo.resolve("refs").resolve(revision);
            if (Files.isRegularFile(ref)) {
                candidates.add(repo.resolve("snapshots").resolve(Files.readString(ref, StandardCharsets.UTF_8)
                        .strip()));
            }
        } catch (IOException e) {
            return null;
        }
        candidates.add(repo.resolve("snapshots").resolve(revision)); // a commit given as the revision
        for (Path snapshot : candidates) {
            if (complete(snapshot)) {
                return snapshot;
            }
        }
        return null;
    }

    /** The {@code huggingface_hub} cache: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else the default. */
    Path huggingFaceCache() {
        if (hfCache != null) {
            return hfCache;
        }
        String hub = System.getenv("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) {
            return Path.of(hub);
        }
        String home = System.getenv("HF_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "hub");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("huggingface").resolve("hub");
    }

    private URI endpoint() {
        if (endpoint != null) {
            return endpoint;
        }
        String env = System.getenv("HF_ENDPOINT");
        String base = env != null && !env.isBlank() ? env.strip() : DEFAULT_ENDPOINT.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HubModel m && m.repoId.equals(repoId) && m.revision.equals(revision)
                && Objects.equals(m.cacheDir, cacheDir) && Objects.equals(m.endpoint, endpoint)
                && Objects.equals(m.hfCache, hfCache);
    }

    @Override
    public int hashCode() {
        return Objects.hash(repoId, revision, cacheDir, endpoint, hfCache);
    }

    @Override
    public String toString() {
        return repoId + (revision.equals("main") ? "" : "@" + revision);
    }
}
