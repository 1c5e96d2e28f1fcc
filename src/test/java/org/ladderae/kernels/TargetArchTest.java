package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TargetArchTest {
    @Test
    void hopperGetsTheArchSpecificTargetAmpereThePlainOne() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        assertThat(h100.smName()).isEqualTo("sm_90a");
        assertThat(h100.nvccFlags()).containsExactly("-gencode=arch=compute_90a,code=sm_90a");
        assertThat(TargetArch.forComputeCapability(8, 0).smName()).isEqualTo("sm_80");
    }

    @Test
    void parsesTheUsualSpellings() {
        assertThat(TargetArch.parse("sm_90a")).isEqualTo(new TargetArch(9, 0, true));
        assertThat(TargetArch.parse("80")).isEqualTo(new TargetArch(8, 0, false));
        assertThat(TargetArch.parse("8.6")).isEqualTo(new TargetArch(8, 6, false));
        assertThat(TargetArch.parse("sm_100a")).isEqualTo(new TargetArch(10, 0, true));
    }

    @Test
    void voltaNeedsAnOlderNvcc() {
        TargetArch v100 = TargetArch.forComputeCapability(7, 0);
        assertThat(v100.unsupportedReason("13.0.88")).contains("sm_70").contains("CUDA 12");
        assertThat(v100.unsupportedReason("12.4.131")).isNull();
        assertThat(TargetArch.forComputeCapability(9, 0).unsupportedReason("13.0.88")).isNull();
    }

    @org.junit.jupiter.api.Test
    void onlySm90aHasWgmma() {
        org.assertj.core.api.Assertions.assertThat(TargetArch.parse("sm_90a").hasWgmma()).isTrue();
        org.assertj.core.api.Assertions.assertThat(TargetArch.parse("sm_90").hasWgmma()).isFalse();
        org.assertj.core.api.Assertions.assertThat(TargetArch.parse("sm_80").hasWgmma()).isFalse();
    }
}
