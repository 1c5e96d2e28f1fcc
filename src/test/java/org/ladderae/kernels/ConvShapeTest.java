package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ladderae.baselines.BaselineWorkload;

class ConvShapeTest {
    @Test
    void outputSizeAndImplicitGemmDimensionsFollowStrideAndPadding() {
        ConvShape c0 = ConvShape.parse("C0");
        assertThat(c0.p()).isEqualTo(56);
        assertThat(c0.q()).isEqualTo(56);
        assertThat(c0.gemmM()).isEqualTo(128 * 56 * 56);
        assertThat(c0.gemmK()).isEqualTo(576);
        assertThat(c0.flops()).isEqualTo(2.0 * 401408 * 64 * 576);
        ConvShape s2 = ConvShape.parse("2,64,15,14,64,3,3,2,1");
        assertThat(s2.p()).isEqualTo(8);
        assertThat(s2.q()).isEqualTo(7);
    }

    @Test
    void figure12ShapesAreTheBaselinesShapes() {
        for (BaselineWorkload w : BaselineWorkload.figure12Convs()) {
            assertThat(ConvShape.FIGURE12.get(w.setting()).dims()).as(w.setting())
                    .isEqualTo(String.join(",", w.dims().stream().map(String::valueOf).toList()));
        }
        assertThat(ConvShape.FIGURE12).hasSize(8);
    }

    @Test
    void badShapesSayWhatIsWrong() {
        assertThatThrownBy(() -> ConvShape.parse("C9")).hasMessageContaining("C0..C7");
        assertThatThrownBy(() -> ConvShape.parse("1,2,3")).hasMessageContaining("9 integers");
        assertThatThrownBy(() -> ConvShape.parse("1,64,x,8,64,3,3,1,1")).hasMessageContaining("'x' is not an integer");
        assertThatThrownBy(() -> ConvShape.parse("1,64,2,2,64,5,5,1,0")).hasMessageContaining("larger than the padded");
        assertThatThrownBy(() -> ConvShape.parse("1,64,8,8,64,3,3,0,1")).hasMessageContaining("positive");
    }
}
