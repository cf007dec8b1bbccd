package dev.groundingdino.internal.runtime;

import dev.groundingdino.NativeLibraryException;
import java.io.File;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libtorch (and OpenBLAS, OpenCV) through JavaCPP in a way that cannot pick up a system libtorch.
 *
 * <p>JavaCPP extracts native libraries into its cache one by one as they are loaded. On a cold cache the
 * stub {@code libtorch.so} is loaded before {@code libtorch_cpu.so} is extracted, so the dynamic linker resolves
 * that dependency from the system (e.g. Debian's {@code libtorch1.13}) and the JVM dies with SIGSEGV. We
 * extract the complete native folders of every preset first; then all dependencies resolve next to each other.
 * Every entry point of the library calls {@link #ensureLoaded()} before it touches a torch class.
 *
 * <p>Thread pools: libtorch runs its ops on an OpenMP pool (one thread per core) and this build's float32 matrix
 * products on OpenBLAS, which has its own pthread pool; on a small machine the two pools compete for the same cores
 * and small products inside parallel ops (fused attention, {@code bmm}) stall for milliseconds. The model's linear
 * layers run on oneDNN (OpenMP pool), so OpenBLAS only sees those small products, which one thread does best:
 * unless the environment sets {@code OPENBLAS_NUM_THREADS} (then that value is kept), loading sets OpenBLAS to one
 * thread (a process-wide OpenBLAS setting, 1.6x faster full-size GroundingDINO forward on the project's 2-core
 * machine; see docs/performance.md). No JavaCPP system property is set.
 */
public final class Natives {
    private static final Logger LOG = LoggerFactory.getLogger(Natives.class);
    private static final String[] PRESETS = {"openblas", "pytorch"};
    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static volatile boolean opencvLoaded;

    private Natives() {}

    /** Pre-extracts and loads libtorch; idempotent and thread-safe. */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            long t0 = System.nanoTime();
            for (String preset : PRESETS) {
                preExtract(preset);
            }
            try {
                Loader.load(org.bytedeco.pytorch.global.torch.class);
            } catch (Throwable e) {
                List<Path> foreign = foreignLibtorch();
                String shadow = foreign.isEmpty() ? ""
                        : " Another libtorch is on the library search path and shadows the bundled one: " + foreign
                                + ". Remove its folder from LD_LIBRARY_PATH / -Djava.library.path for this JVM.";
                throw new NativeLibraryException(
                        "Could not load libtorch (" + e + ")." + shadow + " Check that the JavaCPP natives for "
                                + Loader.getPlatform() + " are on the class path (the default build ships them), that "
                                + "the cache folder " + cacheDirDescription() + " is writable, and, when using the "
                                + "`cuda` profile, that CUDA 13 and cuDNN 9 are installed.",
                        e);
            }
            loaded = true;
            singleThreadedBlas();
            LOG.debug("libtorch loaded in {} ms", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** OpenBLAS on one thread unless the user chose a thread count through the environment (see the class doc). */
    private static void singleThreadedBlas() {
        if (System.getenv("OPENBLAS_NUM_THREADS") != null) {
            LOG.debug("OPENBLAS_NUM_THREADS={} set by the environment; OpenBLAS threads left as they are",
                    System.getenv("OPENBLAS_NUM_THREADS"));
            return;
        }
        try {
            Loader.load(org.bytedeco.openblas.global.openblas.class);
            org.bytedeco.openblas.presets.openblas.blas_set_num_threads(1);
            LOG.debug("OpenBLAS set to 1 thread (set OPENBLAS_NUM_THREADS to choose another count)");
        } catch (Throwable e) {
            // only a performance setting: libtorch works with OpenBLAS's default threads
            LOG.debug("could not set the OpenBLAS thread count: {}", e.toString());
        }
    }

    /** Loads the OpenCV natives (image decoding and drawing) after libtorch. */
    public static void ensureOpenCvLoaded() {
        if (opencvLoaded) {
            return;
        }
        ensureLoaded();
        synchronized (LOCK) {
            if (opencvLoaded) {
                return;
            }
            preExtract("opencv");
            try {
                Loader.load(org.bytedeco.opencv.global.opencv_core.class);
                Loader.load(org.bytedeco.opencv.global.opencv_imgcodecs.class);
                Loader.load(org.bytedeco.opencv.global.opencv_imgproc.class);
            } catch (Throwable e) {
                throw new NativeLibraryException(
                        "Could not load the OpenCV natives (" + e + "). Check that the JavaCPP OpenCV natives for "
                                + Loader.getPlatform() + " are on the class path and that " + cacheDirDescription()
                                + " is writable.",
                        e);
            }
            opencvLoaded = true;
        }
    }

    /** The native resource folders of a preset present on the class path (CPU and, if present, GPU natives). */
    static List<String> resourceFolders(String preset) {
        List<String> folders = new ArrayList<>();
        String platform = Loader.getPlatform();
        for (String suffix : new String[] {"", "-gpu"}) {
            String folder = "/org/bytedeco/" + preset + "/" + platform + suffix + "/";
            URL url = Natives.class.getResource(folder);
            if (url != null) {
                folders.add(folder);
            }
        }
        return folders;
    }

    /** libtorch/c10 libraries in the folders of LD_LIBRARY_PATH and java.library.path (shadowing candidates). */
    static List<Path> foreignLibtorch() {
        List<Path> found = new ArrayList<>();
        String env = System.getenv("LD_LIBRARY_PATH");
        String prop = System.getProperty("java.library.path");
        for (String paths : new String[] {env, prop}) {
            if (paths == null) {
                continue;
            }
            for (String dir : paths.split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                File[] libs = new File(dir).listFiles((d, name) -> name.startsWith("libtorch") || name.startsWith("libc10"));
                if (libs != null) {
                    for (File lib : libs) {
                        Path p = lib.toPath();
                        if (!found.contains(p)) {
                            found.add(p);
                        }
                    }
                }
            }
        }
        return found;
    }

    private static void preExtract(String preset) {
        for (String folder : resourceFolders(preset)) {
            try {
                File[] files = Loader.cacheResources(folder);
                LOG.debug("pre-extracted {} ({} entries)", folder, files == null ? 0 : files.length);
            } catch (Exception e) {
                throw new NativeLibraryException(
                        "Could not extract the native libraries in " + folder + " into the JavaCPP cache "
                                + cacheDirDescription() + ": " + e.getMessage()
                                + ". Make the cache folder writable or point -Dorg.bytedeco.javacpp.cacheDir "
                                + "at a writable folder.",
                        e);
            }
        }
    }

    private static String cacheDirDescription() {
        try {
            return Loader.getCacheDir().getPath();
        } catch (Exception e) {
            return "(~/.javacpp/cache)";
        }
    }
}
