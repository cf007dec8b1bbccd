/**
 * The gdino command-line tool and the web demo, built on the public API of the library modules alone (the compiler
 * enforces it: their internal packages are not exported).
 */
module dev.groundingdino.cli {
    requires dev.groundingdino;
    requires dev.groundingdino.sam;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires jdk.httpserver;
    requires org.slf4j;

    // the web demo can be embedded in an application (WebDemoServer, WebDemoOptions)
    exports dev.groundingdino.cli.web;

    // picocli reads the commands' annotated fields reflectively
    opens dev.groundingdino.cli to info.picocli;
    opens dev.groundingdino.cli.web to info.picocli;
}
