package io.facestream.protocol;

/** How a {@link FaceImage}'s bytes are encoded. The code is what goes on the wire. */
public enum ImageEncoding {
    JPEG(1),
    PNG(2);

    private final int code;

    ImageEncoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws ProtocolException with {@link ProtocolException.Reason#INVALID_FIELD} for an unknown code */
    public static ImageEncoding fromCode(int code) {
        for (ImageEncoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new ProtocolException(ProtocolException.Reason.INVALID_FIELD,
                "unknown image encoding code " + code + " (known: 1=JPEG, 2=PNG)");
    }
}
