package io.opsbot.bot.render;

import io.opsbot.health.AgentUsage;
import io.opsbot.health.HealthReport;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The report's chart as a PNG, drawn headless with JFreeChart: per agent a group of three bars (CPU, memory, disk
 * as % of its total). The agents shown are capped so that bars stay readable; the text lists all.
 */
public final class HealthChart {

    public static final int WIDTH = 900;
    public static final int HEIGHT = 420;
    /** More groups than this turn into slivers at 900 px; the worst ones are drawn. */
    public static final int MAX_AGENTS = 30;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** The dataset the chart draws: rows cpu, mem, disk; one column (bar group) per agent. */
    public static DefaultCategoryDataset dataset(List<AgentUsage> agents) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<AgentUsage> shown = agents.size() <= MAX_AGENTS ? agents : agents.stream()
                .sorted(java.util.Comparator.comparingDouble((AgentUsage a) -> -Math.max(a.cpuPercent(), a.memPercent())))
                .limit(MAX_AGENTS).toList();
        for (AgentUsage a : shown) {
            String column = a.hostname() + (a.up() ? "" : " (down)");
            data.addValue(a.cpuPercent(), "CPU", column);
            data.addValue(a.memPercent(), "memory", column);
            data.addValue(a.diskPercent(), "disk", column);
        }
        return data;
    }

    public static JFreeChart chart(HealthReport report) {
        JFreeChart chart = ChartFactory.createBarChart("Resource use per agent (% of total)", "agent", "% used",
                dataset(report.agents()), PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getRangeAxis().setRange(0, 100);
        plot.setBackgroundPaint(new Color(0xF7F7F7));
        return chart;
    }

    /** The chart of task failures per hour, under the resources when the window had any. */
    public static final int FAILURES_HEIGHT = 300;

    public static JFreeChart failures(HealthReport report) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        java.time.format.DateTimeFormatter hour = java.time.format.DateTimeFormatter.ofPattern("MMM d HH:00", java.util.Locale.ROOT)
                .withZone(java.time.ZoneOffset.UTC);
        report.failures().forEach((at, n) -> data.addValue(n, "task failures", hour.format(at)));
        JFreeChart chart = ChartFactory.createBarChart("Task failures per hour (UTC)", "hour", "failures", data,
                PlotOrientation.VERTICAL, false, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * The PNG's bytes: {@link #WIDTH} × {@link #HEIGHT} with the resources, and {@link #FAILURES_HEIGHT} more with the
     * task failures per hour when there were any.
     */
    public static byte[] png(HealthReport report) {
        boolean failures = !report.failures().isEmpty();
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT + (failures ? FAILURES_HEIGHT : 0), BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        try {
            chart(report).draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
            if (failures) {
                failures(report).draw(g, new java.awt.geom.Rectangle2D.Double(0, HEIGHT, WIDTH, FAILURES_HEIGHT));
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
