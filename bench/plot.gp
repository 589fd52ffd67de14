# make bench-plot: lskel and exec_direct load times as ratios of libbpf's, one pair of bars
# per object (BENCH_DATA rows: name lskel direct libbpf, ms). Usage:
#   gnuplot -e "in='rows.txt'; out='ratios.png'" bench/plot.gp
set terminal pngcairo size 1400,600 font ",9" noenhanced
set output out
set title "open and load time relative to libbpf 1.1 (below 1: faster than libbpf; log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.005:8]
set ytics (0.005, 0.01, 0.03, 0.1, 0.25, 0.5, 1, 2, 4)
set grid ytics
set xtics rotate by -60 scale 0
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2 lc rgb "black"
plot in using ($2/$4):xtic(1) title "lskel / libbpf" lc rgb "#1f77b4", \
     '' using ($3/$4) title "exec_direct / libbpf" lc rgb "#aaaaaa"
