package dev.groundingdino.cli;

import dev.groundingdino.GroundingDinoException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gdino} command-line tool. Exit codes: 0 success, 1 a problem with the inputs (bad checkpoint, image,
 * prompt: the message says what to do), 2 a usage error, 3 an unexpected internal error.
 */
@Command(name = "gdino", mixinStandardHelpOptions = true, versionProvider = Gdino.Version.class,
        description = "GroundingDINO for Java: open-set detection and segmentation on libtorch.",
        subcommands = {InspectCommand.class, TokenizeCommand.class, DetectCommand.class, SegmentCommand.class,
                dev.groundingdino.cli.web.WebCommand.class, CommandLine.HelpCommand.class})
public final class Gdino {
    public static final int EXIT_INPUT_ERROR = 1;
    public static final int EXIT_INTERNAL_ERROR = 3;

    public static void main(String[] args) {
        System.exit(run(args));
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
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof GroundingDinoException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("gdino: " + e.getMessage());
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Gdino.class.getPackage().getImplementationVersion();
            return new String[] {"gdino " + (v == null ? "(development build)" : v)};
        }
    }
}
