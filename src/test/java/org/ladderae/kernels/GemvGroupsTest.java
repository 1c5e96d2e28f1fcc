package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.GroupQuantizer;

/** Per-group scales and zero points: which configurations take them, how they are named, laid out and referenced. */
class GemvGroupsTest {

    @Test
    void onlyFp16ActivationsWithIntOrNf4WeightsOnTheFastCudaCoreKernelsTakeGroups() {
        assertThat(GemvConfig.of(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.PTX).withGroups(128).grouped()).isTrue();
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.INT4, ActFormat.INT8, 1, GemvStage.PTX).withGroups(128))
                .hasMessageContaining("FP16 activations");
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.FP8_E5M2, ActFormat.FP16, 1, GemvStage.PTX).withGroups(128))
                .hasMessageContaining("INTx or NF4");
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.TRANSFORM).withGroups(128))
                .hasMessageContaining("+PTX/holistic");
        // a 16-byte INT1 chunk holds 128 elements: a group of 64 would straddle it
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.INT1, ActFormat.FP16, 1, GemvStage.PTX).withGroups(64))
                .hasMessageContaining("multiple of 128");
        assertThatThrownBy(() -> GemvConfig.of(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.PTX).withGroups(128).validateShape(64, 96 * 2))
                .hasMessageContaining("group size 128");
    }

    @Test
    void groupedKernelsHaveTheirOwnNameAndMacroAndUngroupedOnesAreUnchanged() {
        GemvConfig plain = GemvKernels.holistic(WeightFormat.INT4, ActFormat.FP16, 1, 28672, 8192);
        GemvConfig g = GemvKernels.holisticGrouped(WeightFormat.INT4, ActFormat.FP16, 1, 28672, 8192, 128);
        GemvConfig row = GemvKernels.holisticGrouped(WeightFormat.NF4, ActFormat.FP16, 1, 28672, 8192, GemvConfig.WHOLE_ROW);
        assertThat(GemvKernels.spec(g).kernelName()).isEqualTo(GemvKernels.spec(plain).kernelName() + "_g128");
        assertThat(GemvKernels.spec(row).kernelName()).endsWith("_grow");
        assertThat(GemvKernels.spec(g).nvccDefines()).containsEntry("GROUP", "128");
        assertThat(GemvKernels.spec(plain).nvccDefines()).doesNotContainKey("GROUP");
        // M > 1 keeps the tensor-core kernel where groups hold whole K blocks of its tile (INT4: 128), else leaves it
        assertThat(GemvKernels.holistic(WeightFormat.INT4, ActFormat.FP16, 4, 28672, 8192).launch().tensorCores()).isTrue();
        assertThat(GemvKernels.holisticGrouped(WeightFormat.INT4, ActFormat.FP16, 4, 28672, 8192, 128).launch().tensorCores()).isTrue();
        assertThat(GemvKernels.holisticGrouped(WeightFormat.NF4, ActFormat.FP16, 8, 28672, 8192, GemvConfig.WHOLE_ROW).launch().tensorCores()).isTrue();
        assertThat(GemvKernels.holisticGrouped(WeightFormat.INT2, ActFormat.FP16, 4, 28672, 8192, 128).launch().tensorCores()).isFalse();   // K block 256
        assertThat(GemvKernels.holisticGrouped(WeightFormat.INT4, ActFormat.FP16, 8, 28672, 8192, 64).launch().tensorCores()).isFalse();
        assertThatThrownBy(() -> new GemvConfig(WeightFormat.INT4, ActFormat.FP16, 8, GemvStage.HOLISTIC, new GemvLaunch(128, 4, 1, 1, 0, true), 64))
                .hasMessageContaining("whole K blocks");
        assertThat(g.groups(8192)).isEqualTo(64);
        assertThat(row.groups(8192)).isEqualTo(1);
        assertThat(GemvKernelSpec.weightBytes(g, 28672, 8192)).isEqualTo(28672L * 8192 / 2 + 4L * 28672 * 64);
    }

    @Test
    void deviceParamsPackScaleLowAndZeroHighPerRowAndGroup() {
        byte[] b = WeightLayout.deviceGroupParams(new double[] {0.5, 2.0}, new double[] {7.0, 0.0}, 1, 2);
        assertThat(b).hasSize(8);
        assertThat((b[0] & 0xff) | (b[1] & 0xff) << 8).isEqualTo(Fp16.INSTANCE.encode(0.5));
        assertThat((b[2] & 0xff) | (b[3] & 0xff) << 8).isEqualTo(Fp16.INSTANCE.encode(7.0));
        assertThat((b[4] & 0xff) | (b[5] & 0xff) << 8).isEqualTo(Fp16.INSTANCE.encode(2.0));
    }

    @Test
    void referenceOnCodesAgreesWithTheQuantizersDequantisation() {
        int n = 3, k = 256, m = 2;
        SplittableRandom rnd = new SplittableRandom(5);
        GroupQuantizer q = new GroupQuantizer(WeightFormat.INT4.elementCodec(), 64, true);
        GroupQuantizer.Quantized[] rows = new GroupQuantizer.Quantized[n];
        int[] codes = new int[n * k];
        double[] scales = new double[n * 4], zeros = new double[n * 4];
        for (int j = 0; j < n; j++) {
            double[] w = new double[k];
            for (int i = 0; i < k; i++) w[i] = rnd.nextDouble(-1, 1);
            rows[j] = q.quantizeRow(w);
            System.arraycopy(rows[j].codes(), 0, codes, j * k, k);
            System.arraycopy(rows[j].scales(), 0, scales, j * 4, 4);
            System.arraycopy(rows[j].zeros(), 0, zeros, j * 4, 4);
        }
        double[] a = new double[m * k];
        for (int i = 0; i < a.length; i++) a[i] = Fp16.round(rnd.nextDouble(-1, 1));
        double[] viaCodes = GemvReference.gemvGroupedCodes(a, codes, new GroupParams(scales, zeros, n, 4), WeightFormat.INT4, m, n, k);
        double[] viaRows = GemvReference.gemvGrouped(a, rows, WeightFormat.INT4.elementCodec(), m, k);
        assertThat(viaCodes).hasSize(m * n);
        for (int i = 0; i < viaCodes.length; i++) assertThat(viaCodes[i]).isCloseTo(viaRows[i], org.assertj.core.data.Offset.offset(1e-12));
        assertThat(java.util.Arrays.stream(viaCodes).map(Math::abs).max().orElse(0)).isGreaterThan(1e-3);
    }

    @Test
    void randomParamsArePositiveScalesAndInRangeIntegerZeros() {
        GemvConfig c = GemvKernels.holisticGrouped(WeightFormat.INT2, ActFormat.FP16, 1, 100, 1024, 128);
        GroupParams p = GroupParams.random(c, 100, 1024, 1);
        assertThat(p.groups()).isEqualTo(8);
        for (int i = 0; i < p.scales().length; i++) {
            assertThat(p.scales()[i]).isPositive().isEqualTo(Fp16.round(p.scales()[i]));
            assertThat(p.zeros()[i]).isBetween(0.0, 3.0).isEqualTo(Math.rint(p.zeros()[i]));
        }
    }
}
