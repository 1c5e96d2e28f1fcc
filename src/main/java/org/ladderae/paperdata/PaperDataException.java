package org.ladderae.paperdata;

/** Paper data that is missing or malformed; the message names the file and field. */
public class PaperDataException extends RuntimeException {
    public PaperDataException(String message) { super(message); }

    public PaperDataException(String message, Throwable cause) { super(message, cause); }
}
