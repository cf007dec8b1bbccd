package dev.groundingdino.internal.detector;

import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.Placement;

/**
 * The weights of one loaded GroundingDINO, shared by a {@code Detector} and every detector derived from it
 * ({@code withThresholds}, ...), with a reference count: each owner releases once, the last release frees the
 * weights. The device and precision are decided here, once, when the model is loaded.
 */
public final class DetectorModel {
    private final LoadedGroundingDino loaded;
    private final Device device;
    private final Precision precision;
    private final String source;
    private final boolean demo;
    private int owners = 1;

    DetectorModel(LoadedGroundingDino loaded, Device device, Precision precision, String source, boolean demo) {
        this.loaded = loaded;
        this.device = device;
        this.precision = precision;
        this.source = source;
        this.demo = demo;
    }

    /** Adds an owner. */
    public synchronized DetectorModel retain() {
        if (owners == 0) {
            throw new IllegalStateException("the model weights were already freed");
        }
        owners++;
        return this;
    }

    /** Removes an owner; the last one frees the weights. */
    public synchronized void release() {
        if (owners == 0) {
            return;
        }
        if (--owners == 0) {
            loaded.close();
        }
    }

    public synchronized int owners() {
        return owners;
    }

    public LoadedGroundingDino loaded() {
        return loaded;
    }

    public Placement placement() {
        return loaded.placement();
    }

    public Device device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    /** Where the weights came from (file name, or the demo seed). */
    public String source() {
        return source;
    }

    public boolean demo() {
        return demo;
    }
}
