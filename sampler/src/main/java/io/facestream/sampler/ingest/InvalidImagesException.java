package io.facestream.sampler.ingest;

import java.util.List;
import java.util.stream.Collectors;

/** An ingest refused because of its images; names every bad one. Nothing of the ingest was stored or produced. */
public final class InvalidImagesException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ImageProblem> problems;

    public InvalidImagesException(String identity, List<ImageProblem> problems) {
        super(problems.size() + " bad image(s) for identity " + identity + ": "
                + problems.stream().map(ImageProblem::message).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<ImageProblem> problems() {
        return problems;
    }
}
