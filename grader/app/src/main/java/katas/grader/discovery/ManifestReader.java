package katas.grader.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import katas.grader.execution.Limits;
import katas.grader.parts.Part;

/** Reads and checks a {@code kata.json}, with errors that name the file, the line and the field. */
public final class ManifestReader {

    private final ObjectMapper json = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // 37.5 points must be an error, not 37.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    /** Reads the manifest at {@code file}; {@code expectedId} is the kata's folder name. */
    public KataManifest read(Path file, String expectedId) throws InvalidKataException {
        KataManifest manifest;
        try {
            manifest = json.readValue(Files.readString(file), KataManifest.class);
        } catch (NoSuchFileException missing) {
            throw new InvalidKataException(file + " is missing: every kata folder needs a kata.json manifest");
        } catch (InvalidTypeIdException kind) {
            throw new InvalidKataException(file + ": a part has " + (kind.getTypeId() == null ? "no \"kind\""
                    : "the unknown kind \"" + kind.getTypeId() + "\"") + " at line " + kind.getLocation().getLineNr()
                    + " (known: \"tests\", \"structure\", \"speedup\")");
        } catch (UnrecognizedPropertyException unknown) {
            throw new InvalidKataException(file + ": unknown field '" + unknown.getPropertyName() + "' at line "
                    + unknown.getLocation().getLineNr() + " (known: " + unknown.getKnownPropertyIds() + ")");
        } catch (JsonProcessingException malformed) {
            throw new InvalidKataException(file + " is not valid: " + malformed.getOriginalMessage()
                    + (malformed.getLocation() == null ? "" : " at line " + malformed.getLocation().getLineNr())
                    + " (changed by mistake? git checkout -- " + file + " puts the kit's version back)");
        } catch (IOException unreadable) {
            throw new InvalidKataException(file + " cannot be read: " + unreadable.getMessage());
        }
        List<String> problems = problems(manifest, expectedId);
        if (!problems.isEmpty()) {
            throw new InvalidKataException(file + ": " + String.join("; ", problems));
        }
        return manifest.limits() == null ? withDefaultLimits(manifest) : manifest;
    }

    private static KataManifest withDefaultLimits(KataManifest m) {
        return new KataManifest(m.id(), m.title(), m.order(), m.track(), m.summary(), m.packageName(), m.parts(),
                Limits.defaults());
    }

    private static List<String> problems(KataManifest m, String expectedId) {
        List<String> problems = new ArrayList<>();
        if (m.id() == null || !m.id().equals(expectedId)) {
            problems.add("\"id\" is " + m.id() + " but the folder is " + expectedId + " (they must match)");
        }
        if (m.title() == null || m.title().isBlank()) {
            problems.add("\"title\" is missing");
        }
        if (m.parts() == null || m.parts().isEmpty()) {
            problems.add("\"parts\" is missing or empty: a kata needs at least one graded part");
            return problems;
        }
        Set<String> ids = new HashSet<>();
        for (Part part : m.parts()) {
            String name = "part '" + part.id() + "'";
            if (part.id() == null || !ids.add(part.id())) {
                problems.add("every part needs a unique \"id\" (" + part.id() + ")");
            }
            if (part.title() == null || part.title().isBlank()) {
                problems.add(name + " needs a \"title\"");
            }
            if (part.points() <= 0) {
                problems.add(name + " needs \"points\", a whole number above 0");
            }
            part.problems().forEach(problem -> problems.add(name + " " + problem));
        }
        Limits l = m.limits();
        if (l != null && (l.kataSeconds() <= 0 || l.testSeconds() <= 0 || l.heapMegabytes() < 32
                || l.maxThreads() <= 0 || l.maxProcesses() < 0 || l.outputKilobytes() <= 0)) {
            problems.add("\"limits\" must all be positive (heapMegabytes at least 32; maxProcesses may be 0)");
        }
        return problems;
    }
}
