package org.ladderae.cli;

/**
 * A failure the user can fix (bad input, missing tool, unavailable feature). Reported as one line
 * with no stack trace; {@code exitCode} is 1 for run failures and 2 for usage errors.
 */
public class UserError extends RuntimeException {
    public static final int RUN_FAILURE = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    public UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
