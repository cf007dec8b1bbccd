package dev.groundingdino.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@link Gdino} in-process and captures its exit code and output. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Gdino.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
