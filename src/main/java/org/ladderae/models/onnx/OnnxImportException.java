package org.ladderae.models.onnx;

/** An ONNX file that cannot be imported; the message is one line that names the file, op or node at fault. */
public class OnnxImportException extends RuntimeException {
    public OnnxImportException(String message) { super(message); }
}
