package org.nd4j.nativeblas;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Compatibility shim at the class name DL4J 1.0.0-M2.1 still looks for: its
 * {@code BaseMKLDNNHelper.mklDnnEnabled()} loads {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by name
 * and calls {@code getInstance()} then {@code isUseMKLDNN()} reflectively, but ND4J moved that class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and renamed the flag
 * {@code isUseONEDNN()}. Without this class the lookup fails, DL4J records the failure for the life of the
 * JVM, and every convolution and batch norm runs in the slow built-in path instead of oneDNN.
 *
 * <p>Enabled through {@code io.facestream.trainer.model.CpuFastPath}; nothing else should call it. It lives in its own
 * module ({@code dl4j-compat}) whose tests fail when an upgrade makes it unnecessary or wrong.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /**
     * Forwards the reflective calls of DL4J's oneDNN helpers to ND4J's real native environment. The real
     * class is reached reflectively too, so this compiles and loads without {@code nd4j-native} (the CUDA
     * build): there {@link #getInstance()} throws, which DL4J reads as "oneDNN unavailable".
     */
    public static final class Environment {

        private static final String REAL_CLASS = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private static volatile Environment instance;

        private final Object real;
        private final MethodHandle isUseOneDnn;
        private final MethodHandle helpersAllowed;

        private Environment(Object real, MethodHandle isUseOneDnn, MethodHandle helpersAllowed) {
            this.real = real;
            this.isUseOneDnn = isUseOneDnn;
            this.helpersAllowed = helpersAllowed;
        }

        /**
         * The process-wide environment, as the real class's {@code getInstance()}.
         *
         * @throws IllegalStateException when ND4J's CPU backend is not on the class path
         */
        public static Environment getInstance() {
            Environment local = instance;
            if (local == null) {
                synchronized (Environment.class) {
                    local = instance;
                    if (local == null) {
                        local = bind();
                        instance = local;
                    }
                }
            }
            return local;
        }

        /** The name DL4J M2.1 calls: whether ND4J was built with oneDNN and may use it. */
        public boolean isUseMKLDNN() {
            return isUseONEDNN();
        }

        /** The current name of the same flag in ND4J's native environment. */
        public boolean isUseONEDNN() {
            return ask(isUseOneDnn);
        }

        /** Whether ND4J allows platform helpers (oneDNN, cuDNN) at all. */
        public boolean helpersAllowed() {
            return ask(helpersAllowed);
        }

        private boolean ask(MethodHandle flag) {
            try {
                return (boolean) flag.invoke(real);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("ND4J native environment call failed: " + flag, t);
            }
        }

        private static Environment bind() {
            try {
                Class<?> realClass = Class.forName(REAL_CLASS, true, Nd4jCpu.class.getClassLoader());
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Object real = lookup.findStatic(realClass, "getInstance", MethodType.methodType(realClass)).invoke();
                MethodType flag = MethodType.methodType(boolean.class);
                return new Environment(real,
                        lookup.findVirtual(realClass, "isUseONEDNN", flag),
                        lookup.findVirtual(realClass, "helpersAllowed", flag));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(
                        "ND4J CPU backend (nd4j-native) is not on the class path: " + REAL_CLASS + " is missing", e);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("cannot bind to " + REAL_CLASS + ": " + t, t);
            }
        }
    }
}
