package org.ladderae.checkpoints;

/**
 * A checkpoint that cannot be used as it is: missing, tuned for another GPU, altered since it was
 * written, or an archive that is unsafe or broken. The message is one line meant for the user.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) { super(message); }

    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
