package dev.courier.dist;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code courier-bom} pins every artifact of the build that users depend on (all but the examples,
 * the load-test harness, the distribution and the BOM itself), at the build's version, and nothing else.
 */
class BomTest {

    /** Modules of the build that are not libraries for users' builds. */
    private static final Set<String> NOT_FOR_USERS = Set.of("examples", "benchmark", "courier-dist", "courier-bom");

    private static Document read(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(pom.toFile());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().strip();
    }

    /** The artifact ids of every jar module under {@code dir}'s POM, following its modules. */
    private static void jarModules(Path dir, Set<String> out) throws Exception {
        Element project = read(dir.resolve("pom.xml")).getDocumentElement();
        List<Element> modules = children(project, "modules");
        if (!modules.isEmpty()) {
            for (Element m : children(modules.get(0), "module")) {
                jarModules(dir.resolve(m.getTextContent().strip()), out);
            }
        }
        String packaging = text(project, "packaging");
        if (packaging == null || packaging.equals("jar")) {
            out.add(text(project, "artifactId"));
        }
    }

    @Test
    void theBomPinsEveryLibraryOfTheBuildAtItsVersion() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Set<String> libraries = new TreeSet<>();
        jarModules(root, libraries);
        libraries.removeAll(NOT_FOR_USERS);

        Element bom = read(root.resolve("courier-bom/pom.xml")).getDocumentElement();
        Element managed = children(children(bom, "dependencyManagement").get(0), "dependencies")
                .get(0);
        Set<String> pinned = new TreeSet<>();
        for (Element d : children(managed, "dependency")) {
            assertThat(text(d, "groupId")).isEqualTo("dev.courier");
            assertThat(text(d, "version")).isEqualTo("${project.version}");
            pinned.add(text(d, "artifactId"));
        }

        assertThat(libraries).as("the build's libraries").contains("rpc-core", "mq-client", "courier-cli");
        assertThat(pinned).isEqualTo(libraries);
        String rootVersion = text(read(root.resolve("pom.xml")).getDocumentElement(), "version");
        assertThat(text(bom, "version"))
                .as("the BOM's own version is the build's")
                .isEqualTo(rootVersion);
    }
}
