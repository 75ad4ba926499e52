package katas.grader.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The grader's packages form layers that each depend only on the ones below them, so that each step
 * of the pipeline can be read, tested and replaced on its own, and so that what runs inside a fork
 * (beside the learner's code) depends on nothing of the grader above it.
 */
@DisplayName("The grader's packages")
class LayersTest {

    private static JavaClasses grader;

    @BeforeAll
    static void importTheGrader() {
        grader = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("katas.grader");
    }

    @Test
    @DisplayName("have no cycles between them")
    void haveNoCycles() {
        slices().matching("katas.grader.(*)..").should().beFreeOfCycles().check(grader);
    }

    @Test
    @DisplayName("form layers: cli on top, the fork's channel and perf at the bottom, the fork runtime used by none")
    void formLayers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("katas.grader.cli..")
                .layer("commands").definedBy("katas.grader.selfcheck..", "katas.grader.batch..", "katas.grader.learner..")
                .layer("report").definedBy("katas.grader.report..")
                .layer("pipeline").definedBy("katas.grader")
                .layer("scoring").definedBy("katas.grader.scoring..")
                .layer("discovery").definedBy("katas.grader.discovery..", "katas.grader.integrity..")
                .layer("parts").definedBy("katas.grader.parts..")
                .layer("execution").definedBy("katas.grader.execution..")
                .layer("compile").definedBy("katas.grader.compile..")
                .layer("fork runtime").definedBy("katas.grader.fork.internal..")
                .layer("channel").definedBy("katas.grader.fork")
                .layer("perf").definedBy("katas.grader.perf..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("commands").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("report").mayOnlyBeAccessedByLayers("cli", "commands")
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("cli", "commands", "report")
                .whereLayer("scoring").mayOnlyBeAccessedByLayers("cli", "commands", "report", "pipeline")
                .whereLayer("discovery").mayOnlyBeAccessedByLayers("cli", "commands", "report", "pipeline", "scoring")
                .whereLayer("parts").mayOnlyBeAccessedByLayers("cli", "commands", "report", "pipeline", "scoring",
                        "discovery")
                .whereLayer("execution").mayOnlyBeAccessedByLayers("cli", "commands", "report", "pipeline",
                        "scoring", "discovery", "parts")
                .whereLayer("compile").mayOnlyBeAccessedByLayers("cli", "commands", "pipeline")
                .whereLayer("fork runtime").mayNotBeAccessedByAnyLayer()
                .whereLayer("channel").mayOnlyBeAccessedByLayers("cli", "commands", "report", "pipeline", "scoring",
                        "discovery", "parts", "execution", "fork runtime")
                .whereLayer("perf").mayOnlyBeAccessedByLayers("cli", "commands", "report", "pipeline", "scoring",
                        "discovery", "parts", "execution", "fork runtime", "channel")
                .check(grader);
    }
}
