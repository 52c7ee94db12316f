// Round trip of one byte between a thread on cpu0 and one on cpu1 (a socketpair):
// mode 0: the cpu1 thread blocks in epoll_wait; mode 1: it spins on epoll_wait(0).
// What a wake-up of a sleeping thread costs on this VM (BENCHMARKS.md, one-connection latency).
//   cc -O2 -pthread Benchmarks/wakeup-pingpong.c -o /tmp/pingpong && /tmp/pingpong 0 && /tmp/pingpong 1
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <string.h>
static int sv[2]; static int mode; static int N=20000;
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e6+t.tv_nsec/1e3;}
static void* echo(void*a){pin(1);char b;int fd=sv[1];
  if(mode==1){fcntl(fd,F_SETFL,O_NONBLOCK);}
  int ep=epoll_create1(0);struct epoll_event ev={.events=EPOLLIN,.data.fd=fd};epoll_ctl(ep,EPOLL_CTL_ADD,fd,&ev);
  for(int i=0;i<N;i++){
    if(mode==1){struct epoll_event e; while(epoll_wait(ep,&e,1,0)==0){} }
    else {struct epoll_event e; epoll_wait(ep,&e,1,-1);}
    read(fd,&b,1);write(fd,&b,1);}
  return 0;}
int main(int c,char**v){mode=atoi(v[1]);socketpair(AF_UNIX,SOCK_STREAM,0,sv);pthread_t t;pthread_create(&t,0,echo,0);pin(0);
  double *lat=malloc(N*sizeof(double));char b='x';usleep(10000);
  for(int i=0;i<N;i++){double t0=now();write(sv[0],&b,1);read(sv[0],&b,1);lat[i]=now()-t0; if(mode==2) {double t1=now(); while(now()-t1<30){} } }
  pthread_join(t,0);
  int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
  qsort(lat,N,sizeof(double),cmp);printf("mode %d p50 %.1f us p10 %.1f p90 %.1f\n",mode,lat[N/2],lat[N/10],lat[9*N/10]);}
