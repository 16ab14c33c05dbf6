package io.facestream.protocol.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 both ways: a lone surrogate or a malformed byte sequence is an error, never a '?'. */
final class Utf8 {
    private Utf8() {
    }

    /** @return the UTF-8 bytes, or null if {@code s} holds a lone surrogate */
    static byte[] encode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return null;
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes {@link #encode} produces for {@code s} (a lone surrogate counts 3, as the error path never uses it). */
    static int length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Decodes {@code b[from, from + length)}.
     *
     * @throws CharacterCodingException if malformed; {@code at[0]} then holds the offset of the bad sequence
     */
    static String decode(byte[] b, int from, int length, int[] at) throws CharacterCodingException {
        boolean ascii = true;
        for (int i = from; i < from + length && ascii; i++) {
            ascii = b[i] >= 0;
        }
        if (ascii) {
            return new String(b, from, length, StandardCharsets.US_ASCII);
        }
        ByteBuffer in = ByteBuffer.wrap(b, from, length);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(in).toString();
        } catch (CharacterCodingException e) {
            at[0] = in.position();
            throw e;
        }
    }
}
