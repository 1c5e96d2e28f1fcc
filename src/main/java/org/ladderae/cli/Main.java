package org.ladderae.cli;

import java.io.PrintWriter;

/** Entry point of the launcher and the runnable jar. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int code = Cli.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }
}
