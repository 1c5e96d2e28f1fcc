package org.ladderae.paperdata;

/** The user named a data set the experiment does not bundle (a usage error, not broken data). */
public class UnknownDatasetException extends PaperDataException {
    public UnknownDatasetException(String message) { super(message); }
}
