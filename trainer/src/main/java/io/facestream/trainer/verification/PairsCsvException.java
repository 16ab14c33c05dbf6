package io.facestream.trainer.verification;

import java.util.List;

/** A pairs CSV with malformed rows; {@link #problems()} lists every one as {@code line N: what is wrong}. */
public class PairsCsvException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How many problems the message spells out; the rest are only counted there. */
    static final int SHOWN = 20;

    private final List<String> problems;

    public PairsCsvException(String source, List<String> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** Every malformed row, in line order, as {@code line N: message}. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        StringBuilder message = new StringBuilder("pairs CSV ").append(source).append(" has ")
                .append(problems.size()).append(problems.size() == 1 ? " malformed row" : " malformed rows")
                .append(" (expected 'distance,same' with a finite distance and same = 0, 1, true or false): ");
        message.append(String.join("; ", problems.subList(0, Math.min(SHOWN, problems.size()))));
        if (problems.size() > SHOWN) {
            message.append("; and ").append(problems.size() - SHOWN).append(" more");
        }
        return message.toString();
    }
}
