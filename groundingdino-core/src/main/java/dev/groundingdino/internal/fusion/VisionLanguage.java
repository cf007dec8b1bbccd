package dev.groundingdino.internal.fusion;

import org.bytedeco.pytorch.Tensor;

/**
 * A pair of image-side and text-side tensors, as returned by the bi-directional fusion modules (the reference
 * returns the tuple {@code (v, l)}).
 *
 * @param v image tokens (B, n_img, v_dim)
 * @param l text tokens (B, n_txt, l_dim)
 */
public record VisionLanguage(Tensor v, Tensor l) {}
