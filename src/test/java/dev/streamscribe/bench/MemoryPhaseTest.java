package dev.streamscribe.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading the live heap from the pipeline's GC log: after requested full collections only, in KiB. */
class MemoryPhaseTest {
    private static final Path LOG = Path.of("gc-memory.log");

    /** What JDK 25's G1 writes with {@link MemoryPhase#GC_LOG} for a young collection and a requested full one. */
    private static final List<String> YOUNG_THEN_FULL = List.of(
            "[0.438s][debug][gc,heap] GC(0) Heap Before GC invocations=0 (full 0):",
            "[0.438s][debug][gc,heap] GC(0)  garbage-first heap   total reserved 524288K, committed 389120K, used 19598K [0x00000000e0000000, 0x0000000100000000)",
            "[0.445s][debug][gc,heap] GC(0) Heap After GC invocations=1 (full 0):",
            "[0.445s][debug][gc,heap] GC(0)  garbage-first heap   total reserved 524288K, committed 389120K, used 40910K [0x00000000e0000000, 0x0000000100000000)",
            "[0.445s][info ][gc     ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 19M->39M(380M) 7.571ms",
            "[0.551s][debug][gc,heap] GC(1) Heap Before GC invocations=1 (full 0):",
            "[0.551s][debug][gc,heap] GC(1)  garbage-first heap   total reserved 524288K, committed 389120K, used 38702K [0x00000000e0000000, 0x0000000100000000)",
            "[0.563s][info ][gc,heap] GC(1) Old regions: 3->4",
            "[0.563s][debug][gc,heap] GC(1) Heap After GC invocations=2 (full 1):",
            "[0.563s][debug][gc,heap] GC(1)  garbage-first heap   total reserved 524288K, committed 116736K, used 33612K [0x00000000e0000000, 0x0000000100000000)",
            "[0.563s][debug][gc,heap] GC(1)   region size 1024K, 0 young (0K), 0 survivors (0K)",
            "[0.563s][info ][gc     ] GC(1) Pause Full (Diagnostic Command) 38M->32M(114M) 12.256ms");

    @Test
    void theLiveHeapIsTheHeapAfterARequestedFullCollectionInKib() {
        assertEquals(33_612L * 1024, MemoryPhase.peakAfterFullGc(YOUNG_THEN_FULL, LOG),
                "the full collection's heap after, not the young one's (larger) nor the one before");
    }

    @Test
    void thePeakIsTheLargestOfTheFullCollections() {
        List<String> twoFull = new ArrayList<>(YOUNG_THEN_FULL);
        twoFull.add("[1.563s][debug][gc,heap] GC(2) Heap After GC invocations=3 (full 2):");
        twoFull.add("[1.563s][debug][gc,heap] GC(2)  garbage-first heap   total reserved 524288K, committed 116736K, used 34001K [0x0, 0x1)");
        twoFull.add("[1.563s][info ][gc     ] GC(2) Pause Full (System.gc()) 38M->33M(114M) 12.256ms");
        assertEquals(34_001L * 1024, MemoryPhase.peakAfterFullGc(twoFull, LOG));
    }

    @Test
    void aLogWithoutARequestedFullCollectionIsAnError() {
        assertThrows(IllegalStateException.class, () -> MemoryPhase.peakAfterFullGc(YOUNG_THEN_FULL.subList(0, 5), LOG));
    }
}
