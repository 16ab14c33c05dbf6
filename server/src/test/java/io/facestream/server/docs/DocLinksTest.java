package io.facestream.server.docs;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documentation a newcomer reads: README.md on one page, and no link that leads nowhere. */
class DocLinksTest {
    /** "Under 12 KB": 12 KiB. */
    static final long README_LIMIT_BYTES = 12 * 1024;

    private final Path root = RepositoryRoot.find();

    /** README.md, docs/*.md, bench/README.md and protocol/README.md. */
    private List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("bench/README.md"),
                root.resolve("protocol/README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @Test
    @DisplayName("every relative link of README.md, docs/*.md and bench/README.md leads to a file and heading that exist")
    void everyLinkResolves() throws IOException {
        MarkdownLinks links = new MarkdownLinks(root);
        List<Path> pages = pages();
        for (Path page : pages) {
            assertTrue(Files.isRegularFile(page), page + " is missing");
        }
        assertTrue(pages.size() >= 10, "expected the docs/ pages too: " + pages);
        List<MarkdownLinks.Broken> broken = pages.stream().flatMap(p -> links.check(p).stream()).toList();
        assertEquals(List.of(), broken, () -> "broken links:\n" + broken.stream().map(Object::toString)
                .collect(Collectors.joining("\n")));
    }

    @Test
    @DisplayName("README.md stays one page: under 12 KB")
    void readmeFitsOnAPage() throws IOException {
        long size = Files.size(root.resolve("README.md"));
        assertTrue(size < README_LIMIT_BYTES, "README.md is " + size + " bytes; the limit is " + README_LIMIT_BYTES
                + " (12 KiB): move detail into docs/ and link to it");
    }

    @Test
    @DisplayName("a missing file, a missing heading and a link out of the repository are reported with page and line")
    void brokenLinksReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("docs/A.md"), "# Title: `one` two\n\n## Same\n\n## Same\n\n```\n# not a heading\n```\n");
        Files.writeString(dir.resolve("README.md"), String.join("\n",
                "# Top",
                "[ok](docs/A.md) [ok](docs/A.md#title-one-two) [ok](docs/A.md#same-1) [ok](#top) [ok](docs/)",
                "[gone](docs/B.md) and [no heading](docs/A.md#not-a-heading)",
                "[out](../elsewhere.md) [web](https://example.org/x) `[in code](nowhere.md)`",
                "```",
                "[in a block](nowhere.md)",
                "```",
                "[ref]: docs/C.md",
                "[anchor on a directory](docs/#x)",
                ""));
        List<String> found = new MarkdownLinks(dir).check(dir.resolve("README.md")).stream()
                .map(b -> b.line() + " " + b.target()).toList();
        assertEquals(List.of("3 docs/B.md", "3 docs/A.md#not-a-heading", "4 ../elsewhere.md", "8 docs/C.md",
                "9 docs/#x"), found);
    }

    @Test
    @DisplayName("heading anchors follow GitHub: lower case, punctuation dropped, spaces as hyphens")
    void slugs() {
        assertEquals("ingest-body-type-2-new-images-for-one-identity",
                MarkdownLinks.slug("INGEST body (type 2): new images for one identity"));
        assertEquals("1-http-post-apiidentitiesidimages", MarkdownLinks.slug("1. HTTP: `POST /api/identities/{id}/images`"));
        assertEquals("train_stepsh-one-training-step-against-pytorch",
                MarkdownLinks.slug("`train_step.sh`: one training step against PyTorch"));
    }
}
