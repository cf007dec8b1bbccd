package dev.groundingdino.cli;

import dev.groundingdino.GroundingDinoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gdino} command-line tool. Exit codes: 0 success, 1 a problem with the inputs found while running (a bad
 * checkpoint, image or prompt: the message says what to do), 2 a usage error (the message names the flag), 3 an
 * unexpected internal error.
 */
@Command(name = "gdino", mixinStandardHelpOptions = true, versionProvider = Gdino.Version.class,
        usageHelpAutoWidth = true,
        description = "GroundingDINO for Java: open-set detection and segmentation on libtorch.",
        subcommands = {InspectCommand.class, TokenizeCommand.class, DetectCommand.class, SegmentCommand.class,
                ForwardCommand.class, ModelsCommand.class,
                dev.groundingdino.cli.web.WebCommand.class, CommandLine.HelpCommand.class})
public final class Gdino {
    public static final int EXIT_INPUT_ERROR = 1;
    public static final int EXIT_USAGE_ERROR = 2;
    public static final int EXIT_INTERNAL_ERROR = 3;

    public static void main(String[] args) {
        // the library logs through SLF4J; the tool shows warnings only, as plain lines
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showLogName", "false");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
        System.exit(run(args));
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Runs the tool on the standard streams and returns its exit code (never calls {@code System.exit}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the tool writing to the given streams (used by tests) and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Gdino());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, arguments) -> {
            // the one line that matters, and where to read more; not the whole help
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(qualifiedName(cmd) + ": " + e.getMessage());
            cmd.getErr().println("Try '" + qualifiedName(cmd) + " --help' for more information.");
            return EXIT_USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UsageException) {
                commandLine.getErr().println(qualifiedName(commandLine) + ": " + e.getMessage());
                return EXIT_USAGE_ERROR;
            }
            if (e instanceof GroundingDinoException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println(qualifiedName(commandLine) + ": " + e.getMessage());
                return EXIT_INPUT_ERROR;
            }
            commandLine.getErr().println("gdino: internal error: " + e
                    + " (please report it with the command line that caused it)");
            return EXIT_INTERNAL_ERROR;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** {@code gdino detect}, {@code gdino}: the command as the user typed it. */
    private static String qualifiedName(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** The version of the build, from the jar's manifest or, in a development tree, from the filtered resource. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gdino " + version(), "libtorch 2.10 (JavaCPP 1.5.13), Java "
                    + System.getProperty("java.version")};
        }

        static String version() {
            String v = Gdino.class.getPackage().getImplementationVersion();
            if (v != null) {
                return v;
            }
            try (InputStream in = Gdino.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    return p.getProperty("version", "unknown");
                }
            } catch (IOException e) {
                // fall through
            }
            return "unknown";
        }
    }
}
