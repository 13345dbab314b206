package dev.sluice.bench;

import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM: {@code AttachAgent PID LIBRARY OPTIONS}. The bench uses it to
 * start and stop async-profiler around a measured window. jcmd's {@code JVMTI.agent_load} cannot: it reads
 * {@code name=value} in the options as its own arguments, and async-profiler's options are all that shape.
 */
public final class AttachAgent {
    private AttachAgent() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: AttachAgent PID LIBRARY OPTIONS");
            System.exit(2);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}
