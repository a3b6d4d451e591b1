package dev.courier.serialization.internal;

import java.util.List;
import java.util.Set;

/**
 * Classes and packages that serve as building blocks of known deserialization exploits (the gadget
 * chains of ysoserial and marshalsec and the blocklists that Jackson, fastjson and XStream keep):
 * command execution, reflection and class loading, JNDI, RMI and JMX, scripting engines, XSLT
 * templates, and the functor, closure and comparator classes of common libraries that chain them.
 * {@link dev.courier.serialization.TypeAllowlist} refuses them even when they were allowed by
 * mistake, so no configuration lets one cross the wire.
 *
 * <p>A name matches when it equals a listed class or starts with a listed package (names end with a
 * dot). Array names match on their element class. Stateless and thread-safe.
 */
public final class GadgetDenyList {

    /** Whole packages (each ends with a dot). */
    static final List<String> PACKAGES = List.of(
            // JDK: reflection, code loading, naming, remote objects, management, scripting, XSLT.
            "java.lang.reflect.",
            "java.lang.invoke.",
            "java.rmi.",
            "javax.rmi.",
            "sun.rmi.",
            "javax.naming.",
            "com.sun.jndi.",
            "javax.management.",
            "com.sun.jmx.",
            "javax.script.",
            "jdk.nashorn.",
            "org.openjdk.nashorn.",
            "com.sun.org.apache.xalan.",
            "org.apache.xalan.",
            "com.sun.org.apache.bcel.",
            "org.apache.bcel.",
            "com.sun.rowset.",
            "javax.sql.rowset.",
            "java.beans.",
            "sun.reflect.",
            "jdk.internal.",
            "sun.misc.",
            "sun.print.",
            "sun.swing.",
            "javax.swing.",
            "javax.imageio.",
            "com.sun.corba.",
            "com.sun.org.apache.xml.internal.security.",
            // Apache Commons functors and bean access.
            "org.apache.commons.collections.functors.",
            "org.apache.commons.collections4.functors.",
            "org.apache.commons.beanutils.",
            // Groovy, Clojure, Jython, BeanShell, Rhino: closures that run code.
            "org.codehaus.groovy.runtime.",
            "groovy.lang.",
            "clojure.",
            "org.python.core.",
            "bsh.",
            "org.mozilla.javascript.",
            // Spring's object factories, proxies and JTA manager.
            "org.springframework.beans.factory.",
            "org.springframework.aop.",
            "org.springframework.transaction.jta.",
            "org.springframework.jndi.",
            // JNDI and JDBC sources that connect on read.
            "com.mchange.v2.c3p0.",
            "org.apache.xbean.naming.",
            "org.apache.naming.",
            "org.apache.tomcat.dbcp.",
            "org.apache.commons.dbcp.",
            "org.apache.commons.dbcp2.",
            "com.zaxxer.hikari.",
            "org.apache.ibatis.datasource.",
            "ch.qos.logback.core.db.",
            "org.apache.log4j.receivers.db.",
            "org.apache.commons.configuration.",
            "org.apache.commons.configuration2.",
            // ROME, Hibernate, Wicket, MyFaces, FileUpload gadgets.
            "com.sun.syndication.feed.impl.",
            "com.rometools.rome.feed.impl.",
            "org.hibernate.tuple.",
            "org.hibernate.engine.spi.",
            "org.hibernate.property.",
            "org.apache.wicket.util.upload.",
            "org.apache.commons.fileupload.",
            "org.apache.myfaces.el.",
            "org.apache.myfaces.view.facelets.el.",
            "org.jboss.interceptor.",
            "org.jboss.weld.interceptor.",
            "net.sf.json.",
            "com.vaadin.data.util.");

    /** Single classes (whose packages hold harmless classes too). */
    static final Set<String> CLASSES = Set.of(
            "java.lang.Runtime",
            "java.lang.ProcessBuilder",
            "java.lang.Process",
            "java.lang.ProcessImpl",
            "java.lang.System",
            "java.lang.Thread",
            "java.lang.ThreadGroup",
            "java.lang.ClassLoader",
            "java.lang.Class",
            "java.lang.Module",
            "java.net.URLClassLoader",
            "java.net.URL",
            "java.net.InetAddress",
            "java.net.Socket",
            "java.util.ServiceLoader",
            "java.util.logging.FileHandler",
            "java.io.FileOutputStream",
            "java.io.RandomAccessFile",
            "java.security.SignedObject",
            "javax.xml.transform.Templates",
            "org.apache.commons.collections.Transformer",
            "org.apache.commons.collections4.Transformer",
            "org.apache.commons.collections.map.LazyMap",
            "org.apache.commons.collections4.map.LazyMap",
            "org.apache.commons.collections.keyvalue.TiedMapEntry",
            "org.apache.commons.collections4.keyvalue.TiedMapEntry",
            "org.apache.commons.collections.map.TransformedMap",
            "org.apache.commons.collections4.map.TransformedMap",
            "org.apache.commons.collections4.comparators.TransformingComparator",
            "org.springframework.core.SerializableTypeWrapper",
            "org.springframework.core.SerializableTypeWrapper$MethodInvokeTypeProvider",
            "org.springframework.beans.BeanWrapperImpl",
            "com.alibaba.fastjson.JSONObject",
            "com.fasterxml.jackson.databind.node.POJONode");

    private GadgetDenyList() {}

    /**
     * The deny-list entry (a class name, or a package ending with a dot) that {@code className} falls
     * under, or {@code null} when it is not denied. Accepts {@link Class#getName()} spellings,
     * arrays included.
     */
    public static String entryFor(String className) {
        String name = elementName(className);
        if (name == null) {
            return null;
        }
        if (CLASSES.contains(name)) {
            return name;
        }
        int dollar = name.indexOf('$');
        if (dollar > 0 && CLASSES.contains(name.substring(0, dollar))) {
            return name.substring(0, dollar);
        }
        for (String prefix : PACKAGES) {
            if (name.startsWith(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    /** Whether {@code className} is denied. */
    public static boolean isDenied(String className) {
        return entryFor(className) != null;
    }

    /** The element class of an array name ({@code [[Lfoo.Bar;} is {@code foo.Bar}), else the name itself. */
    private static String elementName(String className) {
        if (className == null) {
            return null;
        }
        int dims = 0;
        while (dims < className.length() && className.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return className;
        }
        String rest = className.substring(dims);
        if (rest.length() > 2 && rest.charAt(0) == 'L' && rest.endsWith(";")) {
            return rest.substring(1, rest.length() - 1);
        }
        return null; // a primitive array
    }
}
